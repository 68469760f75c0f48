"""0009 keeps every stored mail and takes the one-time links out of their texts."""

import json

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database

pytestmark = pytest.mark.services

RESET = "http://localhost/password/reset/OLD.TOKEN-1"
REFEREE = "http://localhost/referee/REF_TOKEN-2"


def _mail(conn, row_id, template, status, url, body_url=None):
    body_url = body_url or url
    conn.execute(text(
        "INSERT INTO outbox_message (id, recipient, template, locale, context,"
        " idempotency_key, subject, body_text, body_html, attachments, status, attempts,"
        " created_at, next_attempt_at) VALUES (:id, 'p@example.org', :template, 'en',"
        " :context, :key, 'Subject', :body, :html, '[]', :status, 0, now(), now())"),
        {"id": row_id, "template": template, "context": json.dumps({"name": "P", "url": url}),
         "key": f"k{row_id}", "body": f"Hello\n{body_url}\nBye\n",
         "html": f'<p><a href="{body_url}">{body_url}</a></p>', "status": status})


def test_upgrade_redacts_links_and_keeps_pending_ones_for_delivery(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision="0008_conflict_reach")
        with db.engine.begin() as conn:
            _mail(conn, 1, "password_reset", "sent", RESET)
            _mail(conn, 2, "referee_request", "pending", REFEREE)
            _mail(conn, 3, "application_submitted", "sent", "http://localhost/applications/1")
            _mail(conn, 4, "invitation", "sent", "http://localhost/login")

        upgrade(revision="0009_mail_secrets")

        with db.engine.begin() as conn:
            rows = {r.id: r for r in conn.execute(text(
                "SELECT id, context, body_text, body_html, delivery_links, body_purged_at"
                " FROM outbox_message ORDER BY id"))}
        assert len(rows) == 4
        assert "OLD.TOKEN" not in json.dumps([str(v) for v in rows[1]])
        assert rows[1].delivery_links is None
        assert "[[one-time-link:url]]" in rows[1].body_text
        assert rows[1].context["url"] == "[[one-time-link:url]]"
        assert rows[2].delivery_links == {"kind": "referee", "links": {"url": REFEREE}}
        assert REFEREE not in rows[2].body_text + rows[2].body_html
        assert "/applications/1" in rows[3].body_text and rows[3].delivery_links is None
        assert "http://localhost/login" in rows[4].body_text  # not a one-time link

        downgrade(revision="0008_conflict_reach")
        with db.engine.begin() as conn:
            bodies = dict(conn.execute(text("SELECT id, body_text FROM outbox_message")).all())
        assert len(bodies) == 4 and REFEREE in bodies[2]
