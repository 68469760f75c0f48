"""job_run.call_id becomes a foreign key to call, deleted with its call

Revision ID: 0007_job_run_call_fk
Revises: 0006_selection
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_job_run_call_fk'
down_revision = '0006_selection'
branch_labels = None
depends_on = None


def upgrade():
    # A job whose call is gone describes nothing any more; the key could not be added
    # while it exists.
    job_run = sa.table('job_run', sa.column('call_id', sa.Integer()))
    call = sa.table('call', sa.column('id', sa.Integer()))
    op.execute(job_run.delete().where(job_run.c.call_id.is_not(None),
                                      job_run.c.call_id.not_in(sa.select(call.c.id))))
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_job_run_call_id_call'), 'call',
                                    ['call_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_job_run_call_id_call'), type_='foreignkey')
