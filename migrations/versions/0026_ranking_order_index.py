"""An index reading a ranking snapshot in its order: its first page needs 100 rows, not all

Revision ID: 0026_ranking_order_index
Revises: 0025_review_tally
Create Date: 2026-12-02 07:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_ranking_order_index'
down_revision = '0025_review_tally'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ranking_row_snapshot_order", "ranking_row",
                    ["snapshot_id", "calibrated_rank", "raw_rank", "id"])


def downgrade():
    op.drop_index("ix_ranking_row_snapshot_order", table_name="ranking_row")
