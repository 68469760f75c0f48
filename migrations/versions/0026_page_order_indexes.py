"""Indexes reading a ranking snapshot and a call's applications in the order their pages show

Revision ID: 0026_page_order_indexes
Revises: 0025_review_tally
Create Date: 2026-12-02 07:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026_page_order_indexes'
down_revision = '0025_review_tally'
branch_labels = None
depends_on = None


def upgrade():
    # The first page of a ranking, or of a call's applications newest first, reads its
    # rows in index order and stops there, instead of sorting the whole call.
    op.create_index("ix_ranking_row_snapshot_order", "ranking_row",
                    ["snapshot_id", "calibrated_rank", "raw_rank", "id"])
    # SQLite puts NULLs last in a descending order already, and takes no NULLS LAST here.
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.create_index("ix_application_call_submitted", "application",
                    ["call_id", sa.text(f"submitted_at DESC{nulls_last}"), sa.text("id DESC")])


def downgrade():
    op.drop_index("ix_application_call_submitted", table_name="application")
    op.drop_index("ix_ranking_row_snapshot_order", table_name="ranking_row")
