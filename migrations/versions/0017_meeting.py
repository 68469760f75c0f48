"""The board meeting: members, agenda, live pointer, departures; evaluation reports

Revision ID: 0017_meeting
Revises: 0016_text_embeddings
Create Date: 2026-12-01 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_meeting'
down_revision = '0016_text_embeddings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_evaluation_report_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edited_by_id'], ['user.id'], name=op.f('fk_evaluation_report_edited_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'], name=op.f('fk_evaluation_report_sent_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_report')),
    sa.UniqueConstraint('application_id', name=op.f('uq_evaluation_report_application_id'))
    )
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('current_item_id', sa.Integer(), nullable=True),
    sa.Column('pointer_version', sa.Integer(), nullable=False),
    sa.Column('pointer_moved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('minutes_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('minutes_published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 1440', name=op.f('ck_meeting_duration_range')),
    sa.CheckConstraint('pointer_version >= 0 AND sequence >= 0', name=op.f('ck_meeting_counters_positive')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_meeting_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_meeting_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['minutes_published_by_id'], ['user.id'], name=op.f('fk_meeting_minutes_published_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['snapshot_id'], ['ranking_snapshot.id'], name=op.f('fk_meeting_snapshot_id_ranking_snapshot'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_call_id'), ['call_id'], unique=False)

    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('group', sa.Enum('discuss', 'likely_advance', 'likely_reject', name='agendagroup', native_enum=False, length=20), nullable=False),
    sa.Column('outcome', sa.Enum('advance', 'shortlist', 'reject', 'defer', name='itemoutcome', native_enum=False, length=10), nullable=True),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('votes_abstain', sa.Integer(), nullable=True),
    sa.Column('consensus', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rescue', sa.JSON(none_as_null=True), nullable=True),
    sa.CheckConstraint('(votes_for IS NULL OR votes_for >= 0) AND (votes_against IS NULL OR votes_against >= 0) AND (votes_abstain IS NULL OR votes_abstain >= 0)', name=op.f('ck_agenda_item_votes_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_agenda_item_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_agenda_item_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_agenda_item_recorded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item')),
    sa.UniqueConstraint('meeting_id', 'application_id', name=op.f('uq_agenda_item_meeting_id_application_id'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_item_meeting_id'), ['meeting_id'], unique=False)
    # The pointer names an agenda item, which names its meeting: added once both exist.
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_meeting_current_item_id_agenda_item'),
                                    'agenda_item', ['current_item_id'], ['id'],
                                    ondelete='SET NULL')

    op.create_table('meeting_member',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_member_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_meeting_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_meeting_member'))
    )
    with op.batch_alter_table('meeting_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_member_user_id'), ['user_id'], unique=False)

    op.create_table('meeting_departure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'], name=op.f('fk_meeting_departure_item_id_agenda_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_meeting_departure_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_departure')),
    sa.UniqueConstraint('item_id', 'user_id', name=op.f('uq_meeting_departure_item_id_user_id'))
    )
    with op.batch_alter_table('meeting_departure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_departure_item_id'), ['item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_departure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_departure_item_id'))

    op.drop_table('meeting_departure')
    with op.batch_alter_table('meeting_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_member_user_id'))

    op.drop_table('meeting_member')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_current_item_id_agenda_item'),
                                 type_='foreignkey')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_item_application_id'))

    op.drop_table('agenda_item')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_call_id'))

    op.drop_table('meeting')
    op.drop_table('evaluation_report')
