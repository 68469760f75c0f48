"""The demo's sign-in page lists the demo accounts; no other profile does."""

import pytest

from icm_recruit import create_app

pytestmark = pytest.mark.services


def test_demo_sign_in_page_lists_the_demo_accounts(tmp_path, app):
    demo = create_app({"PROFILE": "demo",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}"})
    try:
        page = demo.test_client().get("/login").get_data(as_text=True)
    finally:
        app.extensions["celery"].set_current()
        app.extensions["celery"].set_default()
    assert "Demo accounts" in page and "hr@demo.icm-recruit.org" in page
    assert "demo-password-2027" in page


def test_other_profiles_list_no_demo_account(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Demo accounts" not in page and "demo.icm-recruit.org" not in page
