"""Self-declared gender and career stage of an application, kept only with consent

Revision ID: 0022_equality_answers
Revises: 0021_visit_parts
Create Date: 2026-12-01 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_equality_answers'
down_revision = '0021_visit_parts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('equality_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=20), nullable=False),
    sa.Column('career_stage', sa.String(length=20), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_equality_answer_application_id_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equality_answer')),
    sa.UniqueConstraint('application_id', name=op.f('uq_equality_answer_application_id'))
    )


def downgrade():
    op.drop_table('equality_answer')
