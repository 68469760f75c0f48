"""Each application's review tally (seats held without a conflict, reviews that count)

Revision ID: 0025_review_tally
Revises: 0024_chair_rights
Create Date: 2026-12-02 02:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_review_tally'
down_revision = '0024_chair_rights'
branch_labels = None
depends_on = None

# The rule of reviews.tally at this revision, in SQL both PostgreSQL and SQLite run.
BACKFILL = """
INSERT INTO review_tally (application_id, held, counted)
SELECT application.id,
       SUM(CASE WHEN assignment.status IN ('done', 'active') AND NOT EXISTS (
             SELECT 1 FROM conflict WHERE conflict.application_id = assignment.application_id
             AND conflict.reviewer_id = assignment.reviewer_id
             AND conflict.status IN ('suggested', 'confirmed')) THEN 1 ELSE 0 END),
       SUM(CASE WHEN review.status = 'submitted' AND assignment.status IN ('done', 'active')
             AND NOT EXISTS (
             SELECT 1 FROM conflict WHERE conflict.application_id = assignment.application_id
             AND conflict.reviewer_id = assignment.reviewer_id
             AND conflict.status IN ('suggested', 'confirmed')) THEN 1 ELSE 0 END)
FROM application
JOIN assignment ON assignment.application_id = application.id
                AND assignment.stage = application.stage
LEFT JOIN review ON review.assignment_id = assignment.id
GROUP BY application.id
"""


def upgrade():
    op.create_table(
        'review_tally',
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('held', sa.Integer(), nullable=False),
        sa.Column('counted', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_review_tally_application_id_application'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('application_id', name=op.f('pk_review_tally')),
    )
    op.execute(BACKFILL)


def downgrade():
    op.drop_table('review_tally')
