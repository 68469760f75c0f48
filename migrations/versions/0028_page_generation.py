"""The generation of the data that kept pages are rendered from

Revision ID: 0028_page_generation
Revises: 0027_active_due_index
Create Date: 2026-12-03 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028_page_generation'
down_revision = '0027_active_due_index'
branch_labels = None
depends_on = None

# Tables whose changes no kept page shows as such: the audit trail (opening a dossier
# writes to it; its own page names its last event), the outbox (a mail is queued with
# the change it tells of; its delivery, hundreds a second, changes no kept page: the
# mailbox pages are not kept), the generation itself, Alembic's.
UNWATCHED = ("audit_event", "outbox_message", "page_generation", "page_generation_touch",
             "alembic_version")

FUNCTIONS = """
CREATE FUNCTION page_generation_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The first statement of a transaction that writes leaves one mark, whose deferred
    -- trigger moves the generation at the commit: once per transaction, not per row.
    IF current_setting('icm.page_generation_touched', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('icm.page_generation_touched', 'on', true);
        INSERT INTO page_generation_touch (n) VALUES (1);
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION page_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- At the commit: the new number is seen with the new data, never before it.
    UPDATE page_generation SET n = n + 1 WHERE id = 1;
    DELETE FROM page_generation_touch WHERE ctid = NEW.ctid;
    RETURN NULL;
END
$$
"""


def watch(table: str) -> None:
    """Make a committed change to the table name a new generation (PostgreSQL)."""
    op.execute(f'CREATE TRIGGER page_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
               f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION page_generation_touch()')


def upgrade():
    op.create_table(
        'page_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_page_generation_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_page_generation')),
    )
    op.execute("INSERT INTO page_generation (id, n) VALUES (1, 0)")
    # A mark lives inside one transaction: never written to disk, never seen by another.
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table('page_generation_touch', sa.Column('n', sa.Integer(), nullable=False),
                    prefixes=["UNLOGGED"] if postgresql else [])
    if not postgresql:
        return  # the demo's SQLite keeps no pages
    op.execute(FUNCTIONS)
    # Deferred to the commit, the generation's row is the last lock a transaction takes:
    # two writers cannot wait on each other for it.
    op.execute("CREATE CONSTRAINT TRIGGER page_generation AFTER INSERT ON page_generation_touch "
               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
               "EXECUTE FUNCTION page_generation_bump()")
    tables = op.get_bind().execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename")).scalars()
    for table in tables:
        if table not in UNWATCHED:
            watch(table)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS page_generation_touch() CASCADE")
        op.execute("DROP FUNCTION IF EXISTS page_generation_bump() CASCADE")
    op.drop_table('page_generation_touch')
    op.drop_table('page_generation')
