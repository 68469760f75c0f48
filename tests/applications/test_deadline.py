"""Deadlines: the server refuses late submissions, whatever the clock task did."""

import json
import os
import random
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications import operations as ops
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import Call
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.applications.helpers import edit_url
from tests.support import make_user, post_form

pytestmark = pytest.mark.services


def _ready_call(**kwargs):
    return make_call(document_rules=[], referees_required=0, **kwargs)


def test_submit_after_deadline_is_refused_and_the_draft_kept(client, auth, ctx):
    call = _ready_call()
    user = make_user("late@example.org", Role.APPLICANT)
    application = make_application(call, user, complete=True)
    auth.login(user)
    page_url = edit_url(application)
    page = client.get(page_url)
    # The deadline passes while the page is open; the call is still "open" (no task ran).
    call.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    from tests.support import csrf_from

    response = client.post(f"/applications/{application.id}/submit", follow_redirects=True,
                           data={"csrf_token": csrf_from(page.get_data(True)), "confirm": "y",
                                 "consent": "y"})
    assert "deadline of this call has passed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert application.status == ApplicationStatus.DRAFT
    assert application.title == "Circuits of memory"


def test_double_submit_is_harmless(client, auth, mail, ctx):
    call = _ready_call()
    user = make_user("twice@example.org", Role.APPLICANT)
    application = make_application(call, user, complete=True)
    auth.login(user)
    for _ in range(2):
        response = post_form(client, f"/applications/{application.id}/submit",
                             {"confirm": "y", "consent": "y"},
                             page_url=edit_url(application))
        assert response.status_code == 302
        assert "/status" in response.headers["Location"]
    receipts = [m for m in mail.to("twice@example.org") if "received" in m["Subject"]]
    assert len(receipts) == 1


def test_second_application_to_the_same_call_is_refused(ctx):
    call = _ready_call()
    user = make_user("one@example.org", Role.APPLICANT)
    ops.start_application(call, by=user)
    db.session.commit()
    with pytest.raises(ops.ApplicationError) as info:
        ops.start_application(call, by=user)
    assert info.value.code == "already_applied"


def test_concurrent_submissions_around_the_deadline(make_app, committed_db, run_id):
    """200 submissions race the deadline on PostgreSQL: none lost, none accepted late."""
    count = int(os.environ.get("DEADLINE_RACE_SUBMISSIONS", "200"))
    # Receipts are queued to a queue nobody consumes: this test is about the deadline, and
    # eager delivery would take a second pooled connection per thread.
    queue = f"icm-test-{run_id}-race"
    app = make_app(CELERY={"task_always_eager": False, "task_default_queue": queue})
    with app.app_context():
        call = _ready_call()
        users = [User(email=f"racer{i}@example.org", name=f"Racer {i}") for i in range(count)]
        for user in users:
            user.grant(Role.APPLICANT)
        db.session.add_all(users)
        db.session.commit()
        ids = [make_application(call, u, complete=True).id for u in users]
        call.closes_at = utcnow() + timedelta(seconds=2)
        db.session.commit()
        closes_at, call_id = call.closes_at, call.id
    outcomes: dict[int, str] = {}
    start = threading.Barrier(count)

    def run(application_id: int) -> None:
        start.wait()
        time.sleep(random.uniform(0.5, 3.5))
        with app.app_context():
            try:
                application = db.session.get(Application, application_id)
                user = db.session.get(User, application.applicant_id)
                ops.submit_application(application, by=user)
                db.session.commit()
                outcomes[application_id] = "accepted"
            except ops.ApplicationError as exc:
                db.session.rollback()
                outcomes[application_id] = exc.code
            except Exception as exc:  # recorded, so the assertion below names it
                outcomes[application_id] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert set(outcomes.values()) <= {"accepted", "deadline_passed"}
    assert len(outcomes) == count
    with app.app_context():
        rows = db.session.scalars(select(Application).where(Application.call_id == call_id))
        by_id = {a.id: a for a in rows}
        assert db.session.get(Call, call_id).closes_at == closes_at
    accepted = [i for i, o in outcomes.items() if o == "accepted"]
    for application_id, outcome in outcomes.items():
        row = by_id[application_id]
        if outcome == "accepted":
            assert row.status == ApplicationStatus.SUBMITTED  # none lost
            assert row.submitted_at < closes_at  # none late
        else:
            assert row.status == ApplicationStatus.DRAFT
    assert 0 < len(accepted) < count
    app.extensions["celery"].control.purge()
    late = sum(1 for i in accepted if by_id[i].submitted_at >= closes_at)
    lost = sum(1 for i in accepted if by_id[i].status != ApplicationStatus.SUBMITTED)
    print("DEADLINE_RACE", json.dumps({"submissions": count, "accepted": len(accepted),
                                       "refused_late": count - len(accepted), "lost": lost,
                                       "accepted_late": late}))
