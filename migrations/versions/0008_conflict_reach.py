"""A late conflict ends assignments and panel seats in a way that can be undone

Revision ID: 0008_conflict_reach
Revises: 0007_job_run_call_fk
Create Date: 2026-12-01 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_conflict_reach'
down_revision = '0007_job_run_call_fk'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_by_conflict', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # Assignments withdrawn for a conflict before this column existed carry that reason.
    assignment = sa.table('assignment', sa.column('status', sa.String()),
                          sa.column('decline_reason', sa.Text()),
                          sa.column('ended_by_conflict', sa.Boolean()))
    op.execute(assignment.update()
               .where(assignment.c.status == 'declined',
                      assignment.c.decline_reason == 'conflict of interest')
               .values(ended_by_conflict=True))
    with op.batch_alter_table('interview_panelist', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('interview_panelist', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('ended_by_conflict')
