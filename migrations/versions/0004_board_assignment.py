"""board, conflicts, bids and assignments

Revision ID: 0004_board_assignment
Revises: 0003_two_factor
Create Date: 2026-11-28 05:34:17.711958

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_board_assignment'
down_revision = '0003_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('board_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('affiliation', sa.String(length=300), nullable=False),
    sa.Column('past_affiliations', sa.JSON(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('expertise_keywords', sa.String(length=1000), nullable=False),
    sa.Column('expertise_statement', sa.Text(), nullable=False),
    sa.Column('coauthors', sa.Text(), nullable=False),
    sa.Column('default_max_load', sa.Integer(), nullable=False),
    sa.Column('digest', sa.Enum('immediate', 'daily', name='digestpreference', native_enum=False, length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('default_max_load >= 0', name=op.f('ck_board_member_max_load_positive')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_board_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_member')),
    sa.UniqueConstraint('user_id', name=op.f('uq_board_member_user_id'))
    )
    op.create_table('member_call_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_member_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('max_load', sa.Integer(), nullable=False),
    sa.CheckConstraint('max_load >= 0', name=op.f('ck_member_call_setting_max_load_positive')),
    sa.ForeignKeyConstraint(['board_member_id'], ['board_member.id'], name=op.f('fk_member_call_setting_board_member_id_board_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_member_call_setting_call_id_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_call_setting')),
    sa.UniqueConstraint('board_member_id', 'call_id', name=op.f('uq_member_call_setting_board_member_id_call_id'))
    )
    with op.batch_alter_table('member_call_setting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_call_setting_board_member_id'), ['board_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_call_setting_call_id'), ['call_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'active', 'declined', 'done', name='assignmentstatus', native_enum=False, length=10), nullable=False),
    sa.Column('origin', sa.Enum('auto', 'manual', name='assignmentorigin', native_enum=False, length=10), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('affinity', sa.Float(), nullable=True),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('job_run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_assignment_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_assignment_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_run_id'], ['job_run.id'], name=op.f('fk_assignment_job_run_id_job_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_assignment_reviewer_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('application_id', 'reviewer_id', name=op.f('uq_assignment_application_id_reviewer_id'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_status'), ['status'], unique=False)

    op.create_table('bid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('eager', 'willing', 'not_willing', name='bidlevel', native_enum=False, length=12), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_bid_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_bid_reviewer_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid')),
    sa.UniqueConstraint('reviewer_id', 'application_id', name=op.f('uq_bid_reviewer_id_application_id'))
    )
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bid_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('declared', 'institution', 'email_domain', 'referee', 'coauthor', 'manual', 'self', 'requested_exclusion', name='conflictsource', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('suggested', 'confirmed', 'dismissed', name='conflictstatus', native_enum=False, length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_conflict_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_conflict_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_conflict_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_conflict_reviewer_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict')),
    sa.UniqueConstraint('reviewer_id', 'application_id', 'source', name=op.f('uq_conflict_reviewer_id_application_id_source'))
    )
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflict_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('conflict_declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('has_conflict', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_conflict_declaration_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_conflict_declaration_reviewer_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_declaration')),
    sa.UniqueConstraint('reviewer_id', 'application_id', name=op.f('uq_conflict_declaration_reviewer_id_application_id'))
    )
    with op.batch_alter_table('conflict_declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_declaration_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflict_declaration_reviewer_id'), ['reviewer_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('conflict_declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_declaration_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_conflict_declaration_application_id'))

    op.drop_table('conflict_declaration')
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_conflict_application_id'))

    op.drop_table('conflict')
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_bid_application_id'))

    op.drop_table('bid')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_status'))
        batch_op.drop_index(batch_op.f('ix_assignment_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_application_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('member_call_setting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_call_setting_call_id'))
        batch_op.drop_index(batch_op.f('ix_member_call_setting_board_member_id'))

    op.drop_table('member_call_setting')
    op.drop_table('board_member')

