"""calls, criteria, applications, documents and referee requests

Revision ID: 0002_calls_applications
Revises: 0001_foundation
Create Date: 2026-11-28 05:23:09.817037

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_calls_applications'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_fr', sa.Text(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewers_per_application', sa.Integer(), nullable=False),
    sa.Column('referees_required', sa.Integer(), nullable=False),
    sa.Column('summary_word_limit', sa.Integer(), nullable=False),
    sa.Column('document_rules', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', 'in_review', 'selection', 'decided', 'archived', name='callstatus', native_enum=False, length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_call_closes_after_opens')),
    sa.CheckConstraint('referees_required >= 0 AND referees_required <= 5', name=op.f('ck_call_referees_range')),
    sa.CheckConstraint('reviewers_per_application >= 1', name=op.f('ck_call_positive_k')),
    sa.CheckConstraint('summary_word_limit >= 50', name=op.f('ck_call_summary_limit_min')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_call_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call')),
    sa.UniqueConstraint('slug', name=op.f('uq_call_slug'))
    )
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_status'), ['status'], unique=False)

    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'ineligible', 'under_review', 'rejected', 'shortlisted', 'interview', 'offered', 'waitlisted', 'accepted', 'declined', 'withdrawn', name='applicationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('current_position', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('phd_year', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('keywords', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('publications', sa.Text(), nullable=False),
    sa.Column('excluded_reviewers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('screened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('screened_by_id', sa.Integer(), nullable=True),
    sa.Column('screening_reason', sa.Text(), nullable=True),
    sa.Column('dossier_key', sa.String(length=100), nullable=True),
    sa.CheckConstraint('phd_year IS NULL OR (phd_year >= 1950 AND phd_year <= 2100)', name=op.f('ck_application_phd_year_range')),
    sa.ForeignKeyConstraint(['applicant_id'], ['user.id'], name=op.f('fk_application_applicant_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_application_call_id_call'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['screened_by_id'], ['user.id'], name=op.f('fk_application_screened_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('call_id', 'applicant_id', name=op.f('uq_application_call_id_applicant_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_application_reference'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_status'), ['status'], unique=False)

    op.create_table('criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_fr', sa.Text(), nullable=False),
    sa.Column('descriptors_en', sa.Text(), nullable=False),
    sa.Column('descriptors_fr', sa.Text(), nullable=False),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.CheckConstraint('scale_min < scale_max', name=op.f('ck_criterion_scale_order')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_criterion_positive_weight')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_criterion_call_id_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion'))
    )
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_call_id'), ['call_id'], unique=False)

    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('cv', 'research_project', 'publications', 'letter', 'other', name='documentkind', native_enum=False, length=20), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('size > 0', name=op.f('ck_document_not_empty')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_document_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_document_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_application_id'), ['application_id'], unique=False)
        batch_op.create_index('uq_document_current_kind', ['application_id', 'kind'], unique=True, postgresql_where=sa.text("is_current AND kind <> 'letter'"), sqlite_where=sa.text("is_current AND kind <> 'letter'"))

    op.create_table('referee_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('requested', 'received', 'declined', 'cancelled', name='refereestatus', native_enum=False, length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('letter_document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_referee_request_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['letter_document_id'], ['document.id'], name=op.f('fk_referee_request_letter_document_id_document'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referee_request')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_referee_request_token_hash'))
    )
    with op.batch_alter_table('referee_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referee_request_application_id'), ['application_id'], unique=False)
        batch_op.create_index('ix_referee_request_pending', ['status', 'expires_at'], unique=False)



def downgrade():
    with op.batch_alter_table('referee_request', schema=None) as batch_op:
        batch_op.drop_index('ix_referee_request_pending')
        batch_op.drop_index(batch_op.f('ix_referee_request_application_id'))

    op.drop_table('referee_request')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('uq_document_current_kind', postgresql_where=sa.text("is_current AND kind <> 'letter'"), sqlite_where=sa.text("is_current AND kind <> 'letter'"))
        batch_op.drop_index(batch_op.f('ix_document_application_id'))

    op.drop_table('document')
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_call_id'))

    op.drop_table('criterion')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_status'))
        batch_op.drop_index(batch_op.f('ix_application_country'))
        batch_op.drop_index(batch_op.f('ix_application_call_id'))
        batch_op.drop_index(batch_op.f('ix_application_applicant_id'))

    op.drop_table('application')
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_status'))
        batch_op.drop_index(batch_op.f('ix_call_closes_at'))

    op.drop_table('call')
