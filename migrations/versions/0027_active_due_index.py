"""An index of the assignments still awaiting their review, soonest due first

Revision ID: 0027_active_due_index
Revises: 0026_page_order_indexes
Create Date: 2026-12-02 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_active_due_index'
down_revision = '0026_page_order_indexes'
branch_labels = None
depends_on = None


def upgrade():
    # HR's dashboard lists the awaited reviews, the late first: its first page reads them
    # in this order and stops there, instead of sorting every awaited review of the call.
    op.create_index("ix_assignment_active_due", "assignment", ["due_at", "id"],
                    postgresql_where=sa.text("status = 'active'"),
                    sqlite_where=sa.text("status = 'active'"))


def downgrade():
    op.drop_index("ix_assignment_active_due", table_name="assignment")
