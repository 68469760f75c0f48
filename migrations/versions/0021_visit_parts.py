"""The parts of an interview visit (seminar, chalk talk, panel interview, lab visits), each
with its place and time

Revision ID: 0021_visit_parts
Revises: 0020_stages
Create Date: 2026-12-01 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_visit_parts'
down_revision = '0020_stages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visit_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('details', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 480', name=op.f('ck_visit_part_duration_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_visit_part_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['slot_id'], ['interview_slot.id'], name=op.f('fk_visit_part_slot_id_interview_slot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_part'))
    )
    with op.batch_alter_table('visit_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_part_slot_id'), ['slot_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_part_slot_id'))
    op.drop_table('visit_part')
