"""Publication lists imported by applicants and board members, read by conflict detection

Revision ID: 0014_publications
Revises: 0013_institutions
Create Date: 2026-12-01 17:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_publications'
down_revision = '0013_institutions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('source', sa.Enum('bibtex', 'ris', 'orcid', name='publicationsource', native_enum=False, length=10), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('year IS NULL OR year BETWEEN 1800 AND 2100', name=op.f('ck_publication_year_plausible')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_publication_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication'))
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_user_id'))
    op.drop_table('publication')
