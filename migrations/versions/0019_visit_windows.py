"""Interview visit planning: the windows HR proposes, the panel's answers, and the slots
fixed in each window

Revision ID: 0019_visit_windows
Revises: 0018_mail_texts
Create Date: 2026-12-01 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_visit_windows'
down_revision = '0018_mail_texts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visit_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fixed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_visit_window_ends_after_start')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_visit_window_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_visit_window_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_visit_window_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_window'))
    )
    with op.batch_alter_table('visit_window', schema=None) as batch_op:
        batch_op.create_index('ix_visit_window_call_start', ['call_id', 'starts_at'], unique=False)

    op.create_table('visit_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_visit_availability_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['visit_window.id'], name=op.f('fk_visit_availability_window_id_visit_window'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_availability')),
    sa.UniqueConstraint('window_id', 'user_id', name=op.f('uq_visit_availability_window_id_user_id'))
    )
    with op.batch_alter_table('visit_availability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_availability_user_id'), ['user_id'], unique=False)

    op.create_table('visit_slot',
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['slot_id'], ['interview_slot.id'], name=op.f('fk_visit_slot_slot_id_interview_slot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['visit_window.id'], name=op.f('fk_visit_slot_window_id_visit_window'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('slot_id', name=op.f('pk_visit_slot'))
    )
    with op.batch_alter_table('visit_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_slot_window_id'), ['window_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_slot_window_id'))
    op.drop_table('visit_slot')

    with op.batch_alter_table('visit_availability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_availability_user_id'))
    op.drop_table('visit_availability')

    with op.batch_alter_table('visit_window', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_window_call_start')
    op.drop_table('visit_window')
