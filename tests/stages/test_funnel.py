"""The per-call funnel, per stage, and its fixed number of queries."""

import pytest
from sqlalchemy import event

from icm_recruit.applications.models import (
    ApplicationStage,
    ApplicationStatus,
    StageProgress,
    StageVerdict,
)
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import CallStage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.reports import funnel_report
from tests.selection.factories import quick_user, reviewed_application, selection_call

S = ApplicationStatus


def _applications(call, count, prefix="cand"):
    applications = [reviewed_application(call, f"{prefix}{n}@example.org") for n in range(count)]
    for application in applications:
        application.screened_at = utcnow()
    db.session.commit()
    return applications


def _staged_call(size=5):
    """Stage 1 decided for all: 3 went on (one of them withdrew later, one missed the part)."""
    call = selection_call("funnel-2027")
    db.session.add_all([CallStage(call_id=call.id, position=1, name_en="Synopsis",
                                  name_fr="Synopsis"),
                        CallStage(call_id=call.id, position=2, name_en="Full application",
                                  name_fr="Candidature complète", opened_at=utcnow())])
    applications = _applications(call, size)
    now = utcnow()
    for index, application in enumerate(applications):
        goes_on = index < 3
        db.session.add(ApplicationStage(
            application_id=application.id, stage=1, decided_at=now,
            verdict=StageVerdict.ADVANCE if goes_on else StageVerdict.STOP))
        if goes_on:
            application.stage = 2
            db.session.add(ApplicationStage(
                application_id=application.id, stage=2, opened_at=now,
                progress=StageProgress.MISSED if index == 1 else StageProgress.OPEN))
        else:
            application.status = S.REJECTED
    applications[0].status = S.WITHDRAWN
    applications[0].withdrawn_at = now
    db.session.commit()
    return call, applications


def _report(app, call):
    with app.test_request_context():
        return funnel_report(call)


def _rows(stage):
    return {str(label): n for label, n in stage["rows"]}


def test_a_staged_call_counts_each_stage(app, ctx):
    call, _ = _staged_call()
    report = _report(app, call)
    totals = {str(label): n for label, n in report["rows"]}
    assert totals["Submitted"] == 5 and totals["Withdrawn"] == 1
    first, second = report["stages"]
    assert _rows(first) == {"Reached": 4, "Went on to the next stage": 3,
                            "Stopped at this stage": 2, "Stage part missed": 0,
                            "Withdrawn": 0}
    assert _rows(second) == {"Reached": 3, "Went on to the next stage": 0,
                             "Stopped at this stage": 0, "Stage part missed": 1,
                             "Withdrawn": 1}


def test_a_call_of_one_stage_shows_its_totals_and_the_withdrawn(app, ctx):
    call = selection_call("single-2027")
    applications = _applications(call, 3)
    applications[2].status = S.WITHDRAWN
    db.session.commit()
    report = _report(app, call)
    assert report["stages"] == []
    assert [(str(label), n) for label, n in report["rows"]] == [
        ("Submitted", 3), ("Eligible", 2), ("Shortlisted", 0), ("Interviewed", 0),
        ("Offered", 0), ("Accepted", 0), ("Withdrawn", 1)]


def _queries(app, call_id):
    from icm_recruit.calls.models import Call

    db.session.expire_all()
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        _report(app, db.session.get(Call, call_id))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_funnel_takes_the_same_queries_whatever_the_size(app, ctx):
    call, _ = _staged_call(size=5)
    small = _queries(app, call.id)
    _applications(call, 12, prefix="more")
    assert _queries(app, call.id) == small
    assert small <= 8  # the call, its stages and their forms, then the counts


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_report_page_draws_the_stages_with_their_numbers(client, auth, ctx, locale):
    call, _ = _staged_call()
    auth.login(quick_user("hr@example.org", Role.ADMIN, locale=locale))
    page = client.get(f"/selection/calls/{call.id}/report").get_data(as_text=True)
    if locale == "en":
        assert "Stage 2: Full application" in page
        row = '<th scope="row" class="fw-normal">Stage part missed</th><td class="text-end">1</td>'
        assert row in page
    else:
        assert "Candidature complète" in page and "Partie de l’étape manquée" in page
    assert 'class="table table-sm funnel-chart"' in page and "<svg" in page
