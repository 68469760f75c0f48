"""Calls in stages: the stages of a call, where each application stands in them, and the
stage of each assignment, review form, ranking and referee letter (1 for what exists)

Revision ID: 0020_stages
Revises: 0019_visit_windows
Create Date: 2026-12-01 19:00:23.989359

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_stages'
down_revision = '0019_visit_windows'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('instructions_en', sa.Text(), nullable=False),
    sa.Column('instructions_fr', sa.Text(), nullable=False),
    sa.Column('document_rules', sa.JSON(), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewers_per_application', sa.Integer(), nullable=True),
    sa.Column('review_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('referee_mode', sa.Enum('none', 'applicant', 'institution', name='refereemode', native_enum=False, length=12), nullable=False),
    sa.Column('referees_required', sa.Integer(), nullable=False),
    sa.Column('notify_outcome', sa.Boolean(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('position >= 1', name=op.f('ck_call_stage_position_positive')),
    sa.CheckConstraint('referees_required >= 0 AND referees_required <= 5', name=op.f('ck_call_stage_stage_referees_range')),
    sa.CheckConstraint('reviewers_per_application IS NULL OR reviewers_per_application >= 1', name=op.f('ck_call_stage_stage_positive_k')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_stage_call_id_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_stage')),
    sa.UniqueConstraint('call_id', 'position', name=op.f('uq_call_stage_call_id_position'))
    )
    with op.batch_alter_table('call_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_stage_call_id'), ['call_id'], unique=False)

    op.create_table('application_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Enum('open', 'submitted', 'missed', name='stageprogress', native_enum=False, length=10), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verdict', sa.Enum('advance', 'stop', name='stageverdict', native_enum=False, length=10), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('told_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_stage_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user.id'], name=op.f('fk_application_stage_marked_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_stage')),
    sa.UniqueConstraint('application_id', 'stage', name=op.f('uq_application_stage_application_id_stage'))
    )
    with op.batch_alter_table('application_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_stage_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_assignment_application_id_reviewer_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_assignment_application_id_reviewer_id_stage'), ['application_id', 'reviewer_id', 'stage'])

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_stage', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('ranking_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('referee_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('chosen_by_institution', sa.Boolean(), server_default=sa.text('false'), nullable=False))



def downgrade():
    with op.batch_alter_table('referee_request', schema=None) as batch_op:
        batch_op.drop_column('chosen_by_institution')
        batch_op.drop_column('stage')

    with op.batch_alter_table('ranking_snapshot', schema=None) as batch_op:
        batch_op.drop_column('stage')

    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_column('stage')

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_column('current_stage')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_assignment_application_id_reviewer_id_stage'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_assignment_application_id_reviewer_id'), ['application_id', 'reviewer_id'])
        batch_op.drop_column('stage')

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('stage')

    with op.batch_alter_table('application_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_stage_application_id'))

    op.drop_table('application_stage')
    with op.batch_alter_table('call_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_stage_call_id'))

    op.drop_table('call_stage')
