"""Dense text embeddings kept for the affinity, and the research project's extracted text

Revision ID: 0016_text_embeddings
Revises: 0015_application_versions
Create Date: 2026-12-01 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_text_embeddings'
down_revision = '0015_application_versions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('text_embedding',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_text_embedding'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_excerpt', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('text_excerpt')
    op.drop_table('text_embedding')
