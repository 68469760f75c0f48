"""Per call: whether the chair may plan the interview visits and record the decisions

Revision ID: 0024_chair_rights
Revises: 0023_stage_sections
Create Date: 2026-12-01 21:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_chair_rights'
down_revision = '0023_stage_sections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call') as batch_op:
        batch_op.add_column(sa.Column('chair_runs_selection', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('call') as batch_op:
        batch_op.drop_column('chair_runs_selection')
