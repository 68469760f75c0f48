"""0015 gives every application submitted before it its version 1, files included."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.applications.test_tags_migration import FILL
from tests.core.test_migrations import _scratch_database

pytestmark = pytest.mark.services

MORE = [
    "UPDATE application SET submitted_at = now() - interval '1 hour', phd_year = 2015,"
    " excluded_reviewers = '[\"Prof. Rival\"]' WHERE id = 1",
    "INSERT INTO application (id, call_id, applicant_id, status, current_position, institution,"
    " country, title, keywords, summary, publications, excluded_reviewers, created_at,"
    " updated_at) VALUES (2, 1, 2, 'draft', '', '', '', 'draft t', '', '', '', '[]',"
    " now(), now())",
    "INSERT INTO document (id, application_id, kind, original_filename, size, pages, sha256,"
    " storage_key, is_current, uploaded_at) VALUES"
    " (10, 1, 'cv', 'old.pdf', 5, 1, 'a', 'a', false, now()),"
    " (11, 1, 'cv', 'cv.pdf', 5, 1, 'b', 'b', true, now()),"
    " (12, 1, 'letter', 'l.pdf', 5, 1, 'c', 'c', true, now())",
]


def test_upgrade_records_version_one_of_submitted_applications(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision="0014_publications")
        with db.engine.begin() as conn:
            for statement in (*FILL, *MORE):
                conn.execute(text(statement))

        upgrade(revision="0015_application_versions")

        with db.engine.begin() as conn:
            rows = conn.execute(text(
                "SELECT id, version, pending_changes FROM application ORDER BY id")).all()
            assert rows == [(1, 1, None), (2, 0, None)]
            version = conn.execute(text(
                "SELECT application_id, number, fields, documents, changes"
                " FROM application_version")).one()
            assert version.application_id == 1 and version.number == 1
            assert version.fields["title"] == "t" and version.fields["phd_year"] == 2015
            assert version.fields["excluded_reviewers"] == ["Prof. Rival"]
            assert version.documents == {"cv": 11} and version.changes == []
            assert conn.execute(text("SELECT bool_or(pending) FROM document")).scalar() is False

        downgrade(revision="0014_publications")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM application")).scalar() == 2
            assert conn.execute(text("SELECT count(*) FROM document")).scalar() == 3
