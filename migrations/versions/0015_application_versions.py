"""Submitted applications keep their versions; a change in progress is kept apart

Revision ID: 0015_application_versions
Revises: 0014_publications
Create Date: 2026-12-01 16:40:00.000000

Every application submitted before this revision gets its version 1: the dossier fields
and current documents it holds now, which are what was submitted.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_application_versions'
down_revision = '0014_publications'
branch_labels = None
depends_on = None

FIELDS = ("current_position", "institution", "country", "phd_year", "title", "keywords",
          "summary", "publications", "excluded_reviewers")


def upgrade():
    op.create_table('application_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_version_application_id_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_version')),
    sa.UniqueConstraint('application_id', 'number', name=op.f('uq_application_version_application_id_number'))
    )
    with op.batch_alter_table('application_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_version_application_id'), ['application_id'], unique=False)
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('pending_changes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('change_started_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.Boolean(), server_default=sa.text('false'), nullable=False))

    bind = op.get_bind()
    application = sa.table('application', sa.column('id'), sa.column('submitted_at'),
                           sa.column('version'), *(sa.column(f) for f in FIELDS[:-1]),
                           sa.column('excluded_reviewers', sa.JSON()))
    document = sa.table('document', sa.column('id'), sa.column('application_id'),
                        sa.column('kind'), sa.column('is_current'))
    version = sa.table('application_version', sa.column('application_id'),
                       sa.column('number'), sa.column('submitted_at'),
                       sa.column('fields', sa.JSON()), sa.column('documents', sa.JSON()),
                       sa.column('changes', sa.JSON()))
    submitted = bind.execute(sa.select(application).where(
        application.c.submitted_at.is_not(None))).mappings().all()
    if not submitted:
        return
    files: dict[int, dict] = {}
    for row in bind.execute(sa.select(document.c.id, document.c.application_id,
                                      document.c.kind).where(
            document.c.is_current, document.c.kind != 'letter')):
        files.setdefault(row.application_id, {})[row.kind] = row.id
    bind.execute(version.insert(), [
        {"application_id": row["id"], "number": 1, "submitted_at": row["submitted_at"],
         "fields": {f: row[f] for f in FIELDS}, "documents": files.get(row["id"], {}),
         "changes": []}
        for row in submitted])
    bind.execute(application.update().where(application.c.submitted_at.is_not(None))
                 .values(version=1))


def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('pending')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('change_started_at')
        batch_op.drop_column('pending_changes')
        batch_op.drop_column('version')
    with op.batch_alter_table('application_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_version_application_id'))
    op.drop_table('application_version')
