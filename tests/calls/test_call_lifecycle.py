"""HR closes a call early, reopens it, extends its deadline or one applicant's: each move
is confirmed on a page that says what it will do, audited and told to the applicants."""

import random
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from icm_recruit.applications import operations as app_ops
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.calls.operations import close_due_calls
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.core.timeutil import to_zone, utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.applications.helpers import edit_url
from tests.support import make_user, post_form

pytestmark = pytest.mark.services


def _ready_call(**kwargs) -> Call:
    return make_call(document_rules=[], referees_required=0, **kwargs)


def _applicants(call, drafts: int = 3, submitted: int = 1, locale: str = "en"):
    people = []
    for i in range(drafts):
        user = make_user(f"draft{i}@example.org", Role.APPLICANT, locale=locale)
        people.append(make_application(call, user, complete=True))
    for i in range(submitted):
        user = make_user(f"done{i}@example.org", Role.APPLICANT)
        make_application(call, user, status=ApplicationStatus.SUBMITTED, complete=True)
    return people


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _plain(text: str) -> str:
    """French text with its typographic spaces and apostrophes written plainly."""
    return text.replace("\xa0", " ").replace("\u202f", " ").replace("\u2019", "'")


def _local(value, zone="Europe/Paris") -> str:
    return to_zone(value, zone).strftime("%d/%m/%Y %H:%M %Z")


@pytest.fixture
def hr(client, auth, ctx):
    user = make_user("hr@example.org", Role.ADMIN)
    auth.login(user)
    return user


def _as(auth, user):
    auth.logout()
    auth.login(user)


# ------------------------------------------------------------------ closing early


def test_call_page_has_no_one_click_move(client, hr):
    call = _ready_call()
    page = client.get(f"/admin/calls/{call.id}").get_data(as_text=True)
    assert f'action="/admin/calls/{call.id}/status"' not in page
    assert f"/admin/calls/{call.id}/close" in page and f"/admin/calls/{call.id}/extend" in page


def test_close_confirmation_shows_counts_and_changes_nothing(client, hr, mail):
    call = _ready_call(closes_in_days=92)
    _applicants(call, drafts=12, submitted=2)
    response = client.get(f"/admin/calls/{call.id}/close")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Closing now, 3 months before the deadline" in page
    assert "Draft applications that will no longer be submittable: 12." in page
    assert "Applicants with a draft told by e-mail: 12." in page
    assert "Submitted applications, kept for the review: 2." in page
    db.session.expire_all()
    assert call.status == CallStatus.OPEN
    assert _events("call.closed_early") == []
    assert db.session.scalar(select(OutboxMessage)) is None and mail.messages == []


def test_closing_needs_a_reason(client, hr):
    call = _ready_call()
    response = post_form(client, f"/admin/calls/{call.id}/close", {"reason": "  "})
    assert response.status_code == 422
    assert "Give the reason." in response.get_data(as_text=True)
    db.session.expire_all()
    assert call.status == CallStatus.OPEN


def test_close_early_closes_audits_and_tells_each_draft_once(client, hr, mail):
    call = _ready_call(closes_in_days=60)
    drafts = _applicants(call, drafts=3, submitted=1)
    response = post_form(client, f"/admin/calls/{call.id}/close",
                         {"reason": "Funding withdrawn"}, follow_redirects=True)
    assert "3 applicants with a draft are told by e-mail" in response.get_data(as_text=True)
    db.session.expire_all()
    assert call.status == CallStatus.CLOSED
    (event,) = _events("call.closed_early")
    assert event.actor_id == hr.id and event.data["reason"] == "Funding withdrawn"
    assert event.data["drafts"] == 3
    for application in drafts:
        (message,) = mail.to(application.applicant.email)
        assert message["Subject"] == "Call closed: Team leaders 2027"
        assert "can no longer be submitted" in mail.text_of(message)
    assert mail.to("done0@example.org") == []
    # A second POST is refused (the call is no longer open) and sends nothing more.
    post_form(client, f"/admin/calls/{call.id}/close", {"reason": "again"})
    assert len(mail.messages) == 3
    with pytest.raises(app_ops.ApplicationError) as info:
        app_ops.submit_application(drafts[0], by=drafts[0].applicant)
    assert info.value.code == "deadline_passed"


def test_other_moves_are_confirmed_first(client, hr):
    call = make_call(status=CallStatus.DRAFT)
    page = client.get(f"/admin/calls/{call.id}/status").get_data(as_text=True)
    assert "The call becomes public" in page
    db.session.expire_all()
    assert call.status == CallStatus.DRAFT
    post_form(client, f"/admin/calls/{call.id}/status", {"to": "open"},
              page_url=f"/admin/calls/{call.id}/status")
    db.session.expire_all()
    assert call.status == CallStatus.OPEN
    # Closing is never a bare status move: it needs its page and a reason.
    response = post_form(client, f"/admin/calls/{call.id}/status", {"to": "closed"},
                         page_url=f"/admin/calls/{call.id}/close", follow_redirects=True)
    assert "Close the call from its closing page" in response.get_data(as_text=True)
    db.session.expire_all()
    assert call.status == CallStatus.OPEN


# ------------------------------------------------------------------ reopening


def test_reopen_needs_a_future_deadline_and_tells_drafts(client, hr, mail):
    call = _ready_call(status=CallStatus.CLOSED, closes_in_days=-2, opens_in_days=-30)
    (draft,) = _applicants(call, drafts=1, submitted=1)
    draft.applicant.timezone = "America/New_York"
    db.session.commit()
    page = client.get(f"/admin/calls/{call.id}/reopen").get_data(as_text=True)
    assert "with the new deadline in their time zone: 1." in page
    past = (to_zone(utcnow()) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(client, f"/admin/calls/{call.id}/reopen",
                         {"deadline": past, "reason": "Site outage"})
    assert response.status_code == 422
    assert "The new deadline must be in the future." in response.get_data(as_text=True)
    db.session.expire_all()
    assert call.status == CallStatus.CLOSED and mail.messages == []

    post_form(client, f"/admin/calls/{call.id}/reopen",
              {"deadline": "2031-06-30T17:00", "reason": "Site outage"})
    db.session.expire_all()
    assert call.status == CallStatus.OPEN
    assert _local(call.closes_at) == "30/06/2031 17:00 CEST"
    (event,) = _events("call.reopened")
    assert event.data["reason"] == "Site outage"
    (message,) = mail.to(draft.applicant.email)
    assert message["Subject"] == "Call open again: Team leaders 2027"
    assert "30/06/2031 11:00 EDT" in mail.text_of(message)  # the applicant's time zone
    app_ops.submit_application(draft, by=draft.applicant)
    assert draft.status == ApplicationStatus.SUBMITTED


def test_reopen_is_refused_once_the_review_began(client, hr, mail):
    call = _ready_call(status=CallStatus.CLOSED, closes_in_days=-2, opens_in_days=-30)
    user = make_user("reviewed@example.org", Role.APPLICANT)
    make_application(call, user, status=ApplicationStatus.UNDER_REVIEW, complete=True)
    page = client.get(f"/admin/calls/{call.id}/reopen").get_data(as_text=True)
    assert "it can no longer be reopened" in page and 'name="deadline"' not in page
    response = post_form(client, f"/admin/calls/{call.id}/reopen",
                         {"deadline": "2031-06-30T17:00", "reason": "try"},
                         page_url=f"/admin/calls/{call.id}")
    assert response.status_code == 422
    db.session.expire_all()
    assert call.status == CallStatus.CLOSED and _events("call.reopened") == []


# ------------------------------------------------------------------ extending the call


def test_extend_deadline_in_french_and_the_beat_follows_it(client, hr, auth, mail):
    call = _ready_call(closes_in_days=5)
    (draft,) = _applicants(call, drafts=1, submitted=0, locale="fr")
    earlier = (to_zone(call.closes_at) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(client, f"/admin/calls/{call.id}/extend",
                         {"deadline": earlier, "reason": "More time"})
    assert response.status_code == 422
    assert "must be later than the current one" in response.get_data(as_text=True)

    post_form(client, f"/admin/calls/{call.id}/extend",
              {"deadline": "2031-01-15T12:00", "reason": "More time"})
    db.session.expire_all()
    assert _local(call.closes_at) == "15/01/2031 12:00 CET"
    (event,) = _events("call.deadline_extended")
    assert event.data["previous"] != event.data["closes_at"]
    (message,) = mail.to(draft.applicant.email)
    assert _plain(message["Subject"]) == "Nouvelle date limite : Chefs d'équipe 2027"
    assert "est désormais le 15/01/2031 12:00 CET" in _plain(mail.text_of(message))
    # The beat task closes calls at their deadline: the new one, not the old one.
    assert close_due_calls() == []
    assert call.status == CallStatus.OPEN


def test_confirmation_page_in_french(client, hr):
    from tests.support import csrf_from

    call = _ready_call(closes_in_days=92)
    _applicants(call, drafts=2, submitted=0)
    page = client.get(f"/admin/calls/{call.id}").get_data(as_text=True)
    client.post("/language", data={"locale": "fr", "next": "/", "csrf_token": csrf_from(page)})
    page = client.get(f"/admin/calls/{call.id}/close").get_data(as_text=True)
    page = _plain(page)  # "3 mois" and "e-mail : 2" are written with no-break spaces
    assert "Fermer l'appel maintenant" in page
    assert "Clôture immédiate, 3 mois avant la date limite" in page
    assert "Candidats ayant un brouillon prévenus par e-mail : 2." in page


# ------------------------------------------------------------------ one applicant's deadline


def _past_deadline_call() -> Call:
    """A call whose deadline passed a minute ago and that the beat task has closed."""
    call = _ready_call()
    call.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert close_due_calls() == [call.id]
    db.session.commit()
    return call


def _submit(client, application):
    return post_form(client, f"/applications/{application.id}/submit",
                     {"confirm": "y", "consent": "y"}, page_url=edit_url(application),
                     follow_redirects=True)


def test_personal_deadline_lets_exactly_that_applicant_submit(client, hr, auth, mail):
    call = _past_deadline_call()
    lucky, other = _applicants(call, drafts=2, submitted=0)
    url = f"/admin/applications/{lucky.id}/deadline"
    page = client.get(url).get_data(as_text=True)
    assert "Only Test Person" in page and "told by e-mail" in page
    db.session.expire_all()
    assert lucky.extended_until is None
    response = post_form(client, url, {"deadline": "2031-02-01T18:00",
                                       "reason": "Upload failed (ticket 4521)"},
                         follow_redirects=True)
    assert "can submit until 01/02/2031 18:00 CET" in response.get_data(as_text=True)
    (event,) = _events("application.deadline_extended")
    assert event.data["reason"] == "Upload failed (ticket 4521)"
    (message,) = mail.to(lucky.applicant.email)
    assert message["Subject"] == f"Your personal deadline: {lucky.reference}"
    assert "01/02/2031 18:00 CET" in mail.text_of(message)
    assert mail.to(other.applicant.email) == []

    _as(auth, lucky.applicant)
    page = client.get(edit_url(lucky)).get_data(as_text=True)
    assert "Your personal deadline: 01/02/2031 18:00 CET" in page
    _submit(client, lucky)
    _as(auth, other.applicant)
    refused = _submit(client, other).get_data(as_text=True)
    assert "deadline of this call has passed" in refused
    db.session.expire_all()
    assert lucky.status == ApplicationStatus.SUBMITTED
    assert other.status == ApplicationStatus.DRAFT


def test_personal_deadline_needs_reason_and_future_date(client, hr, mail):
    call = _past_deadline_call()
    (draft,) = _applicants(call, drafts=1, submitted=0)
    url = f"/admin/applications/{draft.id}/deadline"
    past = (to_zone(utcnow()) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert post_form(client, url, {"deadline": past, "reason": "x"}).status_code == 422
    assert post_form(client, url, {"deadline": "2031-02-01T18:00",
                                   "reason": ""}).status_code == 422
    db.session.expire_all()
    assert draft.extended_until is None and mail.messages == []


def test_review_waits_for_running_personal_deadlines(client, hr):
    call = _past_deadline_call()
    (draft,) = _applicants(call, drafts=1, submitted=1)
    draft.extended_until = utcnow() + timedelta(days=2)
    db.session.commit()
    page = client.get(f"/admin/calls/{call.id}").get_data(as_text=True)
    assert "Personal deadlines still running: 1" in page
    page = client.get(f"/admin/calls/{call.id}/status").get_data(as_text=True)
    assert "1 personal deadline is still running" in page
    response = post_form(client, f"/admin/calls/{call.id}/status", {"to": "in_review"},
                         page_url=f"/admin/calls/{call.id}", follow_redirects=True)
    assert "1 personal deadline is still running" in response.get_data(as_text=True)
    assert "the review can start after it." in response.get_data(as_text=True)
    db.session.expire_all()
    assert call.status == CallStatus.CLOSED
    draft.extended_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    post_form(client, f"/admin/calls/{call.id}/status", {"to": "in_review"},
              page_url=f"/admin/calls/{call.id}/status")
    db.session.expire_all()
    assert call.status == CallStatus.IN_REVIEW
    with pytest.raises(app_ops.ApplicationError):
        app_ops.submit_application(draft, by=draft.applicant)


def test_personal_deadlines_race_on_postgresql(make_app, committed_db, run_id):
    """Submissions around a personal deadline: extended applicants are accepted only before
    their own deadline; the others, whose call has closed, never."""
    count = 24
    queue = f"icm-test-{run_id}-personal-race"
    # One connection per thread, so nobody waits for the pool past the deadline.
    app = make_app(CELERY={"task_always_eager": False, "task_default_queue": queue},
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": count + 2,
                                              "max_overflow": 0})
    with app.app_context():
        call = _ready_call()
        users = [User(email=f"late{i}@example.org", name=f"Late {i}") for i in range(count)]
        for user in users:
            user.grant(Role.APPLICANT)
        db.session.add_all(users)
        db.session.commit()
        applications = [make_application(call, u, complete=True) for u in users]
        call.closes_at = utcnow() - timedelta(seconds=5)
        db.session.commit()
        ids = [a.id for a in applications]
        extended = set(ids[::2])
    outcomes: dict[int, str] = {}
    start = threading.Barrier(count + 1)

    def run(application_id: int) -> None:
        with app.app_context():
            db.session.get(Application, application_id)  # connect before the race
            db.session.rollback()
            start.wait()
            time.sleep(random.uniform(0.5, 4.5))
            try:
                application = db.session.get(Application, application_id)
                user = db.session.get(User, application.applicant_id)
                app_ops.submit_application(application, by=user)
                db.session.commit()
                outcomes[application_id] = "accepted"
            except app_ops.ApplicationError as exc:
                db.session.rollback()
                outcomes[application_id] = exc.code
            except Exception as exc:  # recorded, so the assertion below names it
                outcomes[application_id] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    start.wait()
    with app.app_context():  # the personal deadline falls in the middle of the race
        until = utcnow() + timedelta(seconds=2.5)
        db.session.execute(update(Application).where(Application.id.in_(extended))
                           .values(extended_until=until))
        db.session.commit()
    for thread in threads:
        thread.join(60)
    assert set(outcomes.values()) <= {"accepted", "deadline_passed"}
    assert len(outcomes) == count
    with app.app_context():
        rows = {a.id: a for a in db.session.scalars(
            select(Application).where(Application.id.in_(ids)))}
    accepted = {i for i, outcome in outcomes.items() if outcome == "accepted"}
    assert accepted <= extended  # nobody else got in after the call's deadline
    assert 0 < len(accepted) < len(extended)
    for application_id in accepted:
        assert rows[application_id].submitted_at < until  # none after the personal deadline
    app.extensions["celery"].control.purge()


def test_beat_closes_on_time_and_personal_deadlines_keep_running(client, hr, auth, mail):
    """The beat task closes the call at its deadline for everyone; a personal deadline
    granted before keeps that one applicant able to submit until it ends."""
    call = _ready_call(closes_in_days=1)
    lucky, other = _applicants(call, drafts=2, submitted=0)
    post_form(client, f"/admin/applications/{lucky.id}/deadline",
              {"deadline": "2031-02-01T18:00", "reason": "Hospitalised"})
    call.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert close_due_calls() == [call.id]
    db.session.commit()
    assert call.status == CallStatus.CLOSED
    page = client.get(f"/calls/{call.slug}").get_data(as_text=True)
    assert "This call is closed." in page
    app_ops.submit_application(lucky, by=lucky.applicant)
    with pytest.raises(app_ops.ApplicationError):
        app_ops.submit_application(other, by=other.applicant)


def test_closing_early_tells_extended_applicants_their_deadline_holds(client, hr, mail):
    call = _ready_call(closes_in_days=30)
    lucky, other = _applicants(call, drafts=2, submitted=0)
    post_form(client, f"/admin/applications/{lucky.id}/deadline",
              {"deadline": "2031-02-01T18:00", "reason": "Hospitalised"})
    page = client.get(f"/admin/calls/{call.id}/close").get_data(as_text=True)
    assert "Draft applications that will no longer be submittable: 1." in page
    assert "keep their personal deadline (the last one ends on 01/02/2031 18:00 CET): 1" in page
    post_form(client, f"/admin/calls/{call.id}/close", {"reason": "Position frozen"})
    closed = [m for m in mail.to(lucky.applicant.email) if "Call closed" in m["Subject"]]
    assert len(closed) == 1
    assert "Your personal deadline still holds" in mail.text_of(closed[0])
    (told,) = mail.to(other.applicant.email)
    assert "can no longer be submitted" in mail.text_of(told)
    app_ops.submit_application(lucky, by=lucky.applicant)
    assert lucky.status == ApplicationStatus.SUBMITTED


def _post_twice_at_once(app, login: str, url: str, data: dict) -> list[int]:
    """Two tabs of the same HR session send the same confirmed form at the same moment."""
    from tests.support import csrf_from

    clients = []
    for _ in range(2):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = login, True
        page = client.get(url)
        assert page.status_code == 200
        clients.append((client, csrf_from(page.get_data(as_text=True))))
    start = threading.Barrier(2)
    codes: list[int] = [0, 0]

    def run(index: int) -> None:
        client, token = clients[index]
        start.wait()
        codes[index] = client.post(url, data={"csrf_token": token, **data}).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return codes


def test_confirmed_forms_sent_twice_act_once(make_app, committed_db, run_id, mail):
    app = make_app(CELERY={"task_always_eager": False,
                           "task_default_queue": f"icm-test-{run_id}-lifecycle-twice"})
    with app.app_context():
        hr = make_user("hr.twice@example.org", Role.ADMIN)
        call = _ready_call(slug="twice", closes_in_days=20)
        (draft,) = _applicants(call, drafts=1, submitted=0)
        ids = {"hr": hr.get_id(), "call": call.id, "draft": draft.id}
    codes = _post_twice_at_once(app, ids["hr"], f"/admin/applications/{ids['draft']}/deadline",
                                {"deadline": "2031-02-01T18:00", "reason": "Outage"})
    assert sorted(codes) in ([302, 302], [302, 422])
    codes = _post_twice_at_once(app, ids["hr"], f"/admin/calls/{ids['call']}/close",
                                {"reason": "Frozen"})
    assert sorted(codes) == [302, 422]
    with app.app_context():
        assert len(_events("application.deadline_extended")) == 1
        assert len(_events("call.closed_early")) == 1
        keys = db.session.scalars(select(OutboxMessage.template)).all()
        assert sorted(keys) == ["application_deadline_extended", "call_deadline_changed"]
    app.extensions["celery"].control.purge()


def test_no_personal_deadline_for_a_submitted_application_or_once_review_began(client, hr):
    call = _past_deadline_call()
    (draft,) = _applicants(call, drafts=1, submitted=1)
    submitted = db.session.scalar(select(Application).where(
        Application.status == ApplicationStatus.SUBMITTED))
    response = post_form(client, f"/admin/applications/{submitted.id}/deadline",
                         {"deadline": "2031-02-01T18:00", "reason": "Outage"})
    assert response.status_code == 422
    assert "not submitted yet" in response.get_data(as_text=True)
    call.status = CallStatus.IN_REVIEW
    db.session.commit()
    assert "Grant a personal deadline" not in client.get(
        f"/admin/applications/{draft.id}").get_data(as_text=True)
    response = post_form(client, f"/admin/applications/{draft.id}/deadline",
                         {"deadline": "2031-02-01T18:00", "reason": "Outage"})
    assert response.status_code == 422
    assert "The review of this call has begun" in response.get_data(as_text=True)
    assert _events("application.deadline_extended") == []


def test_a_personal_deadline_can_be_withdrawn_with_a_reason(client, hr, auth, mail):
    call = _past_deadline_call()
    (draft,) = _applicants(call, drafts=1, submitted=0)
    post_form(client, f"/admin/applications/{draft.id}/deadline",
              {"deadline": "2031-02-01T18:00", "reason": "Upload failed"})
    mail.clear()
    url = f"/admin/applications/{draft.id}/deadline/withdraw"
    assert "Withdraw the personal deadline" in client.get(
        f"/admin/applications/{draft.id}").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "can no longer submit the application" in page  # the call's deadline is past
    assert post_form(client, url, {"reason": ""}).status_code == 422
    db.session.expire_all()
    assert draft.extended_until is not None and mail.messages == []
    response = post_form(client, url, {"reason": "Granted by mistake"}, follow_redirects=True)
    assert "is withdrawn" in response.get_data(as_text=True)
    db.session.expire_all()
    assert draft.extended_until is None and draft.extension_reason is None
    (event,) = _events("application.deadline_withdrawn")
    assert event.data["reason"] == "Granted by mistake"
    (message,) = mail.to(draft.applicant.email)
    assert "withdrawn" in message["Subject"] and "has passed" in mail.text_of(message)
    # Sent again (a second click): nothing more happens, nobody is mailed twice.
    assert client.get(url).status_code == 302
    assert len(mail.to(draft.applicant.email)) == 1
    _as(auth, draft.applicant)
    assert "deadline of this call has passed" in _submit(client, draft).get_data(as_text=True)
