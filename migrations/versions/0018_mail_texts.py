"""HR's e-mail texts of every kind in one table; the shortlist outcome and decision letter
texts of each call move into it

Revision ID: 0018_mail_texts
Revises: 0017_meeting
Create Date: 2026-12-01 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_mail_texts'
down_revision = '0017_meeting'
branch_labels = None
depends_on = None

# The per-call tables and the kind of mail their texts are for.
MOVED = (("shortlist_template", "selection_shortlist_outcome", 12),
         ("letter_template", "selection_decision_letter", 10))
COLUMNS = "call_id, locale, subject, body, updated_at, updated_by_id"


def upgrade():
    op.create_table('mail_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('variant', sa.String(length=20), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_mail_text_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_mail_text_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_text')),
    sa.UniqueConstraint('kind', 'variant', 'call_id', 'locale', name=op.f('uq_mail_text_kind_variant_call_id_locale'))
    )
    op.create_index('uq_mail_text_institute', 'mail_text', ['kind', 'variant', 'locale'],
                    unique=True, postgresql_where=sa.text('call_id IS NULL'),
                    sqlite_where=sa.text('call_id IS NULL'))
    for table, kind, _size in MOVED:
        op.execute(f"INSERT INTO mail_text (kind, variant, {COLUMNS}) "
                   f"SELECT '{kind}', outcome, {COLUMNS} FROM {table} ORDER BY id")  # noqa: S608
        op.drop_table(table)


def downgrade():
    for table, kind, size in MOVED:
        op.create_table(table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=size), nullable=False),
        sa.Column('locale', sa.String(length=2), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f(f'fk_{table}_call_id_call'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f(f'fk_{table}_updated_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('call_id', 'outcome', 'locale', name=op.f(f'uq_{table}_call_id_outcome_locale'))
        )
        op.execute(f"INSERT INTO {table} (outcome, {COLUMNS}) SELECT variant, {COLUMNS} "  # noqa: S608
                   f"FROM mail_text WHERE kind = '{kind}' AND call_id IS NOT NULL ORDER BY id")
    op.drop_index('uq_mail_text_institute', table_name='mail_text')
    op.drop_table('mail_text')
