"""Kept pages: shown again only to their reader, and never once the data changed."""

import re

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine

from icm_recruit.applications import hr_views
from icm_recruit.applications.models import Application
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import Call
from icm_recruit.core import pagecache
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from icm_recruit.scale_seed import seed_large
from icm_recruit.selection.ranking import build_snapshot
from tests.support import PASSWORD, csrf_from, make_user

pytestmark = pytest.mark.services

MEMBER_PASSWORD = "scale-password-2027"  # noqa: S105 - the seeded data's
HR_PAGES = ["/admin/calls/{call}/applications",
            "/admin/calls/{call}/applications?status=under_review&sort=-submitted",
            "/review/calls/{call}/progress", "/selection/calls/{call}/ranking",
            "/selection/calls/{call}/ranking?sort=rank&page=1",
            "/admin/applications/{application}", "/stages/calls/{call}",
            "/meeting/calls/{call}", "/", "/admin/audit"]
MEMBER_PAGES = ["/review/", "/"]
NONCE = re.compile(r'<script[^>]+nonce="([^"]+)"')


@pytest.fixture
def call_ids(app, committed_db):
    with app.app_context():
        make_user("hr.kept@example.org", Role.ADMIN, name="Harriet Keeper")
        make_user("hr.other@example.org", Role.ADMIN, name="Oscar Otherhr")
        seed_large(6, 4, seed=3)
        call = db.session.scalar(select(Call).where(Call.slug == "scale-6-4"))
        build_snapshot(call, by=None)
        db.session.commit()
        first = db.session.scalar(select(Application.id).where(Application.call_id == call.id)
                                  .order_by(Application.id))
        yield {"call": call.id, "application": first,
               "member": f"member0.{call.id}@scale.icm-recruit.org"}


def _sign_in(app, email, password=PASSWORD):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_from(page), "email": email,
                                           "password": password, "next": ""})
    assert response.status_code == 302, response.status_code
    return client


def _counted(client, url):
    count = [0]

    def one(_conn, _cursor, statement, *_args):
        count[0] += 1
        # The outbox moves no generation (migration 0028): no kept page may read it.
        assert "outbox_message" not in statement, url

    event.listen(Engine, "before_cursor_execute", one)
    try:
        response = client.get(url)
    finally:
        event.remove(Engine, "before_cursor_execute", one)
    assert response.status_code == 200, (url, response.status_code)
    return response, count[0]


def _rename(app, email, name):
    """Change a name the way a task or another server would: its own connection."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE \"user\" SET name = :n WHERE email = :e"),
                         {"n": name, "e": email})
    finally:
        engine.dispose()


@pytest.mark.parametrize(("who", "template"), [("hr", p) for p in HR_PAGES]
                         + [("member", p) for p in MEMBER_PAGES])
def test_a_page_is_kept_for_its_reader_until_the_data_changes(app, call_ids, who, template):
    if who == "hr":
        email, client = "hr.kept@example.org", _sign_in(app, "hr.kept@example.org")
    else:
        email = call_ids["member"]
        client = _sign_in(app, email, MEMBER_PASSWORD)
    with app.app_context():
        name = db.session.scalar(select(User.name).where(User.email == email))
    url = template.format(**call_ids)
    first, rendered = _counted(client, url)
    again, kept = _counted(client, url)
    # Kept: no query of the page's own (the reader's, with the generation, the trail's
    # last event and the facts the policy asks about the reader: the application page
    # loads no application for an HR person who never applied), the same page with the
    # response's own nonce.
    assert kept == 1 < rendered, (url, kept, rendered)
    first_html, again_html = first.get_data(as_text=True), again.get_data(as_text=True)
    assert name in again_html
    nonces = NONCE.findall(again_html)
    assert nonces and set(nonces) == {again.headers["Content-Security-Policy"].split(
        "'nonce-")[1].split("'")[0]}
    assert NONCE.findall(first_html)[0] != nonces[0]
    assert NONCE.sub("", first_html) == NONCE.sub("", again_html)
    # A change committed elsewhere is on the very next view.
    _rename(app, email, "Renamed Reader")
    changed, _count = _counted(client, url)
    html = changed.get_data(as_text=True)
    assert "Renamed Reader" in html and name not in html


def test_two_readers_never_share_a_page(app, call_ids):
    url = f"/selection/calls/{call_ids['call']}/ranking"
    keeper = _sign_in(app, "hr.kept@example.org")
    other = _sign_in(app, "hr.other@example.org")
    assert "Harriet Keeper" in keeper.get(url).get_data(as_text=True)
    html = other.get(url).get_data(as_text=True)
    assert "Oscar Otherhr" in html and "Harriet Keeper" not in html
    # The same person in two sessions: each page carries its own session's form token,
    # and a form sent from either is accepted.
    second = _sign_in(app, "hr.kept@example.org")
    tokens = [csrf_from(c.get(url).get_data(as_text=True)) for c in (keeper, second)]
    assert tokens[0] != tokens[1]
    for client, token in zip((keeper, second), tokens, strict=True):
        response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 302


def test_a_reader_who_changes_language_gets_the_page_in_it(app, call_ids):
    url = f"/selection/calls/{call_ids['call']}/ranking"
    hr = _sign_in(app, "hr.kept@example.org")
    english = hr.get(url).get_data(as_text=True)
    assert '<html lang="en"' in english and '<html lang="en"' in hr.get(url).get_data(True)
    hr.post("/language", data={"locale": "fr", "next": url, "csrf_token": csrf_from(english)})
    french = hr.get(url).get_data(as_text=True)
    assert '<html lang="fr"' in french and "Classement" in french


def test_a_member_the_policy_refuses_gets_no_kept_page(app, call_ids):
    url = f"/selection/calls/{call_ids['call']}/ranking"
    hr = _sign_in(app, "hr.kept@example.org")
    hr.get(url)
    member = _sign_in(app, call_ids["member"], MEMBER_PASSWORD)
    assert member.get(f"/admin/applications/{call_ids['application']}").status_code == 403
    assert member.get(f"/admin/calls/{call_ids['call']}/applications").status_code == 403


def test_a_notice_is_shown_once_and_not_kept(app, call_ids):
    url = f"/selection/calls/{call_ids['call']}/ranking"
    hr = _sign_in(app, "hr.kept@example.org")
    hr.get(url)
    with hr.session_transaction() as session:
        session["_flashes"] = [("info", "A notice for this view only")]
    assert "A notice for this view only" in hr.get(url).get_data(as_text=True)
    assert "A notice for this view only" not in hr.get(url).get_data(as_text=True)


def test_the_audit_trail_shows_a_new_event_at_once(app, call_ids):
    hr = _sign_in(app, "hr.kept@example.org")
    url = "/admin/audit?action=dossier.opened"
    opened = hr.get(url).get_data(as_text=True).count("Dossier opened")
    assert opened == hr.get(url).get_data(as_text=True).count("Dossier opened")
    # Opening a dossier is recorded: a change the trail shows and no other kept page does.
    hr.get(f"/admin/applications/{call_ids['application']}")
    assert hr.get(url).get_data(as_text=True).count("Dossier opened") == opened + 1


def _openings(app, application_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "dossier.opened",
            AuditEvent.object_id == str(application_id)))


def test_an_opening_is_recorded_once_for_the_page_shown_again(app, call_ids):
    url = f"/admin/applications/{call_ids['application']}"
    before = _openings(app, call_ids["application"])
    hr = _sign_in(app, "hr.kept@example.org")
    first = hr.get(url).get_data(as_text=True)
    # Asked for again by the same session, of the same data: the same page, one opening.
    assert NONCE.sub("", hr.get(url).get_data(as_text=True)) == NONCE.sub("", first)
    assert _openings(app, call_ids["application"]) == before + 1
    # Another reader's opening is their own, and so is one after the data changed.
    _sign_in(app, "hr.other@example.org").get(url)
    assert _openings(app, call_ids["application"]) == before + 2
    _rename(app, "hr.other@example.org", "Oscar Renamed")
    hr.get(url)
    assert _openings(app, call_ids["application"]) == before + 3


def test_a_member_s_dossier_is_kept_and_its_opening_recorded_once(app, call_ids):
    from icm_recruit.assignment.models import Assignment

    with app.app_context():
        application_id = db.session.scalar(
            select(Assignment.application_id).join(User, User.id == Assignment.reviewer_id)
            .where(User.email == call_ids["member"]).order_by(Assignment.application_id))
    url = f"/review/applications/{application_id}"
    before = _openings(app, application_id)
    member = _sign_in(app, call_ids["member"], MEMBER_PASSWORD)
    first, rendered = _counted(member, url)
    again, kept = _counted(member, url)
    # Kept: the reader, the application and the policy's question (assigned, no conflict).
    assert kept == 3 < rendered, (kept, rendered)
    assert NONCE.sub("", again.get_data(as_text=True)) == NONCE.sub(
        "", first.get_data(as_text=True))
    assert _openings(app, application_id) == before + 1


def test_a_view_that_fails_after_rendering_keeps_nothing(app, call_ids, monkeypatch):
    url = f"/admin/applications/{call_ids['application']}"
    hr = _sign_in(app, "hr.kept@example.org")
    real_record = hr_views.record
    failing = [True]

    def record(*args, **kwargs):
        if failing[0]:
            raise RuntimeError("the trail could not be written")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(hr_views, "record", record)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        assert hr.get(url).status_code == 500
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    failing[0] = False
    before = _openings(app, call_ids["application"])
    # The page was not kept: shown again, it is rendered, and its opening is recorded.
    assert hr.get(url).status_code == 200
    assert _openings(app, call_ids["application"]) == before + 1


def test_pages_are_rendered_when_redis_is_out_of_reach(app, call_ids):
    store = app.extensions["page_store"]
    app.extensions["page_store"] = pagecache.PageStore("redis://127.0.0.1:9/0", 30)
    try:
        hr = _sign_in(app, "hr.kept@example.org")
        url = f"/selection/calls/{call_ids['call']}/ranking"
        counts = [_counted(hr, url)[1] for _ in range(2)]
        assert counts[0] == counts[1]
    finally:
        app.extensions["page_store"] = store


def test_a_transaction_that_has_written_keeps_no_page(app, call_ids):
    calls = []

    def render():
        calls.append(1)
        return "page"

    hr = db.session.scalar(select(User).where(User.email == "hr.kept@example.org"))
    with app.test_request_context("/somewhere"):
        from flask_login import login_user

        login_user(hr)
        assert pagecache.page(render) == "page"
        app.process_response(app.make_response("page"))  # the view finished: kept
        assert pagecache.page(render) == "page"
        assert len(calls) == 1 and pagecache.was_kept()
        hr.name = "Not Yet Committed"
        db.session.flush()
        pagecache.page(render)
        assert len(calls) == 2
        db.session.rollback()


def test_every_table_but_the_trail_and_the_outbox_moves_the_generation(app, ctx):
    watched = set(db.session.scalars(text(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'page_generation' AND c.relname <> 'page_generation_touch'")))
    tables = {t.name for t in db.metadata.sorted_tables}
    assert tables - watched == {"audit_event", "outbox_message", "page_generation",
                                "page_generation_touch"}


def test_upgrade_watches_every_table_and_keeps_the_data(app):
    from flask_migrate import downgrade, upgrade

    from tests.core.test_migrations import _scratch_database, fill_at
    from tests.selection.test_outcomes_migration import FILL

    with _scratch_database(app):
        fill_at("0027_active_due_index", FILL)
        with db.engine.connect() as conn:
            before = conn.execute(text("SELECT id, status FROM application ORDER BY id")).all()
        upgrade(revision="0028_page_generation")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT id, status FROM application ORDER BY id")
                                ).all() == before
            assert conn.execute(text("SELECT n FROM page_generation")).scalar() == 0
            assert conn.execute(text("SELECT relpersistence FROM pg_class "
                                     "WHERE relname = 'page_generation_touch'")).scalar() == "u"
        with db.engine.begin() as conn:  # a change, committed: a new generation
            conn.execute(text("UPDATE application SET title = title || '.'"))
            conn.execute(text("UPDATE application SET title = title || '.'"))
        with db.engine.begin() as conn:  # nothing changed: the same
            conn.execute(text("SELECT count(*) FROM application"))
        with db.engine.begin() as conn:  # a rolled back change: the same
            with conn.begin_nested() as inner:
                conn.execute(text("UPDATE application SET title = title || '.'"))
                inner.rollback()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM page_generation")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM page_generation_touch")).scalar() == 0
        downgrade(revision="0027_active_due_index")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_trigger "
                                     "WHERE tgname LIKE 'page_generation%'")).scalar() == 0
            assert conn.execute(text("SELECT id, status FROM application ORDER BY id")
                                ).all() == before
