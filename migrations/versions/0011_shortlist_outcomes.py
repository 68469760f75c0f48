"""Shortlist marks stay changeable until the outcomes are sent; outcome e-mail texts per call

Revision ID: 0011_shortlist_outcomes
Revises: 0010_personal_deadlines
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_shortlist_outcomes'
down_revision = '0010_personal_deadlines'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shortlist_mark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('told_at', sa.DateTime(timezone=True), nullable=True))
    # Until now a mark mailed the applicant at once: every existing mark was told.
    op.execute("UPDATE shortlist_mark SET told_at = marked_at")
    op.create_table('shortlist_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('shortlisted', 'rejected', name='shortlistoutcome', native_enum=False, length=12), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_shortlist_template_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_shortlist_template_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlist_template')),
    sa.UniqueConstraint('call_id', 'outcome', 'locale', name=op.f('uq_shortlist_template_call_id_outcome_locale'))
    )


def downgrade():
    op.drop_table('shortlist_template')
    with op.batch_alter_table('shortlist_mark', schema=None) as batch_op:
        batch_op.drop_column('told_at')
