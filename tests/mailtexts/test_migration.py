"""0018: the per-call shortlist outcome and letter texts move into mail_text, and back."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database

pytestmark = pytest.mark.services

PREVIOUS, THIS = "0017_meeting", "0018_mail_texts"
FILL = [
    "INSERT INTO \"user\" (id, email, name, locale, timezone, active, session_nonce, created_at)"
    " VALUES (2, 'hr@example.org', 'HR', 'fr', 'Europe/Paris', true, 'n2', now())",
    "INSERT INTO call (id, slug, title_en, title_fr, description_en, description_fr,"
    " opens_at, closes_at, reviewers_per_application, referees_required, summary_word_limit,"
    " document_rules, status, created_at, updated_at) VALUES (1, 'c-2027', 'C', 'C', '', '',"
    " now(), now() + interval '1 day', 3, 2, 300, '{}', 'selection', now(), now())",
    "INSERT INTO shortlist_template (call_id, outcome, locale, subject, body, updated_at,"
    " updated_by_id) VALUES (1, 'rejected', 'fr', 'Candidature {reference}', 'Bonjour {name}',"
    " '2027-03-01 10:00:00+00', 2)",
    "INSERT INTO letter_template (call_id, outcome, locale, subject, body, updated_at,"
    " updated_by_id) VALUES (1, 'offer', 'en', 'Offer {reference}', 'Dear {name}, {feedback}',"
    " '2027-03-02 10:00:00+00', 2), (1, 'reject', 'fr', 'Refus', 'Bonjour {name}',"
    " '2027-03-03 10:00:00+00', NULL)",
]
ROWS = "SELECT kind, variant, call_id, locale, subject, body, updated_by_id FROM mail_text " \
       "ORDER BY kind, variant"


def test_upgrade_keeps_every_text_of_each_call_and_downgrade_gives_them_back(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            for statement in FILL:
                conn.execute(text(statement))

        upgrade(revision=THIS)
        with db.engine.begin() as conn:
            rows = [tuple(r) for r in conn.execute(text(ROWS))]
            assert conn.execute(text("SELECT to_regclass('letter_template')")).scalar() is None
        assert rows == [
            ("selection_decision_letter", "offer", 1, "en", "Offer {reference}",
             "Dear {name}, {feedback}", 2),
            ("selection_decision_letter", "reject", 1, "fr", "Refus", "Bonjour {name}", None),
            ("selection_shortlist_outcome", "rejected", 1, "fr", "Candidature {reference}",
             "Bonjour {name}", 2)]

        with db.engine.begin() as conn:  # an institute-wide text is unique per kind
            conn.execute(text("INSERT INTO mail_text (kind, variant, locale, subject, body,"
                              " updated_at) VALUES ('verify_email', '', 'en', 'S', 'B', now())"))
        with pytest.raises(Exception, match="uq_mail_text_institute"), db.engine.begin() as conn:
            conn.execute(text("INSERT INTO mail_text (kind, variant, locale, subject, body,"
                              " updated_at) VALUES ('verify_email', '', 'en', 'T', 'C', now())"))

        downgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            letters = conn.execute(text(
                "SELECT outcome, locale, subject, updated_by_id FROM letter_template "
                "ORDER BY outcome")).all()
            outcomes = conn.execute(text(
                "SELECT outcome, body FROM shortlist_template")).all()
            assert conn.execute(text("SELECT to_regclass('mail_text')")).scalar() is None
        assert [tuple(r) for r in letters] == [("offer", "en", "Offer {reference}", 2),
                                               ("reject", "fr", "Refus", None)]
        assert [tuple(r) for r in outcomes] == [("rejected", "Bonjour {name}")]
