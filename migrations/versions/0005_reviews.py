"""reviews, criterion scores within their scale, discussion posts, reminder log

Revision ID: 0005_reviews
Revises: 0004_board_assignment
Create Date: 2026-11-28 05:44:39.095187

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_reviews'
down_revision = '0004_board_assignment'
branch_labels = None
depends_on = None


def upgrade():
    # A score row references (criterion id, scale_min, scale_max), so the database knows the
    # scale of every score and its check constraint keeps the score within it.
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_criterion_id_scale_min_scale_max'), ['id', 'scale_min', 'scale_max'])

    op.create_table('discussion_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_discussion_post_body_not_empty')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_discussion_post_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_discussion_post_author_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_post'))
    )
    with op.batch_alter_table('discussion_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_post_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discussion_post_created_at'), ['created_at'], unique=False)

    op.create_table('reminder_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Enum('before', 'due', 'overdue', 'escalated', name='reminderstep', native_enum=False, length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_reminder_log_assignment_id_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_log')),
    sa.UniqueConstraint('assignment_id', 'step', name=op.f('uq_reminder_log_assignment_id_step'))
    )
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_log_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='reviewstatus', native_enum=False, length=10), nullable=False),
    sa.Column('recommendation', sa.Enum('interview', 'discuss', 'do_not_pursue', name='recommendation', native_enum=False, length=20), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('comments_to_board', sa.Text(), nullable=False),
    sa.Column('feedback_for_applicant', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status = 'draft' OR (submitted_at IS NOT NULL AND confidence IS NOT NULL AND recommendation IS NOT NULL)", name=op.f('ck_review_submitted_complete')),
    sa.CheckConstraint('confidence IS NULL OR (confidence >= 1 AND confidence <= 5)', name=op.f('ck_review_confidence_range')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_review_assignment_id_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_review_assignment_id'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_status'), ['status'], unique=False)

    op.create_table('review_rescue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_review_rescue_assignment_id_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_rescue')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_review_rescue_assignment_id'))
    )
    op.create_table('review_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.CheckConstraint('score >= 0', name=op.f('ck_review_score_score_not_negative')),
    sa.CheckConstraint('score >= scale_min AND score <= scale_max', name=op.f('ck_review_score_score_in_scale')),
    sa.ForeignKeyConstraint(['criterion_id', 'scale_min', 'scale_max'], ['criterion.id', 'criterion.scale_min', 'criterion.scale_max'], name='fk_review_score_criterion_scale', onupdate='CASCADE', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_score_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_score')),
    sa.UniqueConstraint('review_id', 'criterion_id', name=op.f('uq_review_score_review_id_criterion_id'))
    )
    with op.batch_alter_table('review_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_score_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_score_review_id'), ['review_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_score_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_score_criterion_id'))

    op.drop_table('review_score')
    op.drop_table('review_rescue')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_status'))

    op.drop_table('review')
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_log_assignment_id'))

    op.drop_table('reminder_log')
    with op.batch_alter_table('discussion_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_post_created_at'))
        batch_op.drop_index(batch_op.f('ix_discussion_post_application_id'))

    op.drop_table('discussion_post')

    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_criterion_id_scale_min_scale_max'), type_='unique')
