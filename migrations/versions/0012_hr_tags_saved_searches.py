"""HR's free tags on applications and their saved searches of a call's applications

Revision ID: 0012_hr_tags_saved_searches
Revises: 0011_shortlist_outcomes
Create Date: 2026-12-01 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_hr_tags_saved_searches'
down_revision = '0011_shortlist_outcomes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('application_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('tag = lower(tag) AND length(tag) BETWEEN 1 AND 40', name=op.f('ck_application_tag_normalised')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_tag_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_application_tag_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_tag')),
    sa.UniqueConstraint('application_id', 'tag', name=op.f('uq_application_tag_application_id_tag'))
    )
    with op.batch_alter_table('application_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_tag_application_id'), ['application_id'], unique=False)

    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_saved_search_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_saved_search_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search')),
    sa.UniqueConstraint('user_id', 'call_id', 'name', name=op.f('uq_saved_search_user_id_call_id_name'))
    )
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_search_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_user_id'))
        batch_op.drop_index(batch_op.f('ix_saved_search_call_id'))
    op.drop_table('saved_search')
    with op.batch_alter_table('application_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_tag_application_id'))
    op.drop_table('application_tag')
