"""Stored mails keep their one-time links apart, for delivery only; old texts can be purged

Revision ID: 0009_mail_secrets
Revises: 0008_conflict_reach
Create Date: 2026-12-01 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from markupsafe import escape


# revision identifiers, used by Alembic.
revision = '0009_mail_secrets'
down_revision = '0008_conflict_reach'
branch_labels = None
depends_on = None

MARK = "[[one-time-link:url]]"
# Mails whose "url" was a one-time link, and the path that tells such a link.
LINK_TEMPLATES = {
    'verify_email': ('verify', '/verify/'),
    'password_reset': ('reset', '/password/reset/'),
    'invitation': ('invite', '/invitation/'),
    'referee_request': ('referee', '/referee/'),
    'referee_reminder': ('referee', '/referee/'),
}


def _outbox():
    return sa.table(
        'outbox_message', sa.column('id', sa.Integer()), sa.column('template', sa.String()),
        sa.column('status', sa.String()), sa.column('context', sa.JSON()),
        sa.column('subject', sa.String()), sa.column('body_text', sa.Text()),
        sa.column('body_html', sa.Text()), sa.column('delivery_links', sa.JSON(none_as_null=True)))


def _replace(text, old, new, html=False):
    if text is None:
        return None
    if html:  # a link in HTML is written escaped
        return text.replace(str(escape(old)), str(escape(new))).replace(old, str(escape(new)))
    return text.replace(old, new)


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_links', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('body_purged_at', sa.DateTime(timezone=True),
                                      nullable=True))
    # Mails already stored hold their links in clear: put a mark in their place, and keep
    # the link apart only where the mail still waits for delivery.
    outbox = _outbox()
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox).where(
        outbox.c.template.in_(list(LINK_TEMPLATES)))).all()
    for row in rows:
        kind, path = LINK_TEMPLATES[row.template]
        context = dict(row.context or {})
        url = context.get('url')
        if not isinstance(url, str) or path not in url:
            continue
        context['url'] = MARK
        links = {'kind': kind, 'links': {'url': url}} if row.status == 'pending' else None
        bind.execute(outbox.update().where(outbox.c.id == row.id).values(
            context=context, delivery_links=links,
            subject=_replace(row.subject, url, MARK),
            body_text=_replace(row.body_text, url, MARK),
            body_html=_replace(row.body_html, url, MARK, html=True)))


def downgrade():
    # Mails still waiting get their link back in the text; sent ones keep the mark.
    outbox = _outbox()
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox).where(outbox.c.delivery_links.is_not(None))).all()
    for row in rows:
        url = ((row.delivery_links or {}).get('links') or {}).get('url')
        if not url:
            continue
        context = {**(row.context or {}), 'url': url}
        bind.execute(outbox.update().where(outbox.c.id == row.id).values(
            context=context, subject=_replace(row.subject, MARK, url),
            body_text=_replace(row.body_text, MARK, url),
            body_html=_replace(row.body_html, MARK, url, html=True)))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('body_purged_at')
        batch_op.drop_column('delivery_links')
