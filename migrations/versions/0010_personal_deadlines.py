"""HR can grant one applicant a later personal deadline, with its reason

Revision ID: 0010_personal_deadlines
Revises: 0009_mail_secrets
Create Date: 2026-12-01 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_personal_deadlines'
down_revision = '0009_mail_secrets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extended_until', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('extension_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('extension_reason')
        batch_op.drop_column('extended_until')
