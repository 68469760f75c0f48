"""Text sections with word limits asked at a later stage, and the applicant's texts

Revision ID: 0023_stage_sections
Revises: 0022_equality_answers
Create Date: 2026-12-01 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_stage_sections'
down_revision = '0022_equality_answers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call_stage') as batch:
        batch.add_column(sa.Column('sections', sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))
    with op.batch_alter_table('application_stage') as batch:
        batch.add_column(sa.Column('texts', sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))
        batch.add_column(sa.Column('texts_saved_at', sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade():
    with op.batch_alter_table('application_stage') as batch:
        batch.drop_column('texts_saved_at')
        batch.drop_column('texts')
    with op.batch_alter_table('call_stage') as batch:
        batch.drop_column('sections')
