"""The per-call funnel per stage, and gender and career stage given with consent and
reported only in cells of at least five people."""

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import event, select

from icm_recruit.applications.models import (
    ApplicationStage,
    ApplicationStatus,
    StageProgress,
    StageVerdict,
)
from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember
from icm_recruit.calls.models import CallStage
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.governance.personal_data import export_personal_data
from icm_recruit.governance.retention import anonymise_application
from icm_recruit.selection.reports import funnel_report
from icm_recruit.stages import equality
from tests.selection.factories import quick_user, reviewed_application, selection_call
from tests.support import post_form

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


# Gender and career stage, with consent ---------------------------------------------------


def _own_application(call_slug="equality-2027"):
    call = selection_call(call_slug)
    application = reviewed_application(call, "ada@example.org")
    return call, application


def _answer_form(client, application, **data):
    url = f"/stages/applications/{application.id}/equality"
    return post_form(client, url, data, page_url=url)


def test_nothing_is_kept_without_the_consent_box(client, auth, ctx):
    _, application = _own_application()
    auth.login(application.applicant)
    response = _answer_form(client, application, gender="woman", career_stage="r3")
    assert response.status_code == 422
    assert "Tick the consent box" in response.get_data(as_text=True)
    assert equality.answer_of(application) is None


def test_the_applicant_answers_and_withdraws_consent(client, auth, ctx):
    _, application = _own_application()
    auth.login(application.applicant)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f"/stages/applications/{application.id}/equality" in page
    response = _answer_form(client, application, gender="unsaid", career_stage="unsaid",
                            consent="y")
    assert response.status_code == 302
    answer = equality.answer_of(application)
    assert (answer.gender, answer.career_stage) == ("unsaid", "unsaid")
    url = f"/stages/applications/{application.id}/equality/withdraw"
    page = post_form(client, url, {}, page_url=f"/stages/applications/{application.id}/equality")
    assert "Withdraw your consent?" in page.get_data(as_text=True)
    assert equality.answer_of(application) is not None
    post_form(client, url, {"confirm": "y"},
              page_url=f"/stages/applications/{application.id}/equality")
    db.session.expire_all()
    assert equality.answer_of(application) is None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"equality.answered", "equality.consent_withdrawn"} <= actions


def test_another_applicant_cannot_answer_for_an_application(client, auth, ctx):
    _, application = _own_application()
    auth.login(quick_user("eve@example.org", Role.APPLICANT))
    assert client.get(f"/stages/applications/{application.id}/equality").status_code == 403


def test_the_answers_are_in_the_personal_data_export_and_erased(app, ctx):
    _, application = _own_application()
    equality.save_answers(application, gender="woman", career_stage="r2",
                          by=application.applicant)
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(export_personal_data(application.applicant)))
    records = json.loads(archive.read("applications.json"))
    assert records[0]["equality"]["gender"] == "woman"
    anonymise_application(application)
    db.session.commit()
    assert equality.answer_of(application) is None


# The equality report -----------------------------------------------------------------


def _answered_call(genders: dict, careers: dict):
    call = selection_call("equality-report-2027")
    people = sum(genders.values())
    assert people == sum(careers.values())
    applications = _applications(call, people, prefix="eq")
    gender_list = [g for g, n in genders.items() for _ in range(n)]
    career_list = [c for c, n in careers.items() for _ in range(n)]
    for application, gender, career in zip(applications, gender_list, career_list,
                                           strict=True):
        db.session.add(equality.EqualityAnswer(application_id=application.id, gender=gender,
                                               career_stage=career))
    db.session.commit()
    return call


def _cells(page, key):
    table = page.split(f'id="{key}-h"')[1].split("</table>")[0]
    row = table.split("Applications submitted</th>")[1].split("</tr>")[0]
    return re.findall(r'<td class="text-end">([^<]*)</td>', row)


def test_the_equality_report_hides_cells_under_five(client, auth, ctx):
    call = _answered_call({"woman": 4, "man": 5, "unsaid": 16},
                          {"r2": 4, "r3": 6, "r4": 7, "unsaid": 8})
    auth.login(quick_user("hr@example.org", Role.ADMIN))
    response = client.get(f"/stages/calls/{call.id}/equality")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # woman, man, non-binary, unsaid: two cells are small, the 5 is shown
    assert _cells(page, "gender") == ["&lt; 5", "5", "&lt; 5", "16"]
    # one small cell: the next smallest goes with it, so no subtraction gives the 4
    assert _cells(page, "career") == ["&lt; 5", "&lt; 5", "7", "8"]
    assert ">25<" not in page and ">21<" not in page and ">9<" not in page
    assert ">4<" not in page


def test_suppression_always_hides_at_least_two_cells_of_a_row():
    assert equality.suppress([4, 5, 6, 7]) == [None, None, 6, 7]
    assert equality.suppress([5, 5, 6]) == [5, 5, 6]
    assert equality.suppress([0, 3, 9]) == [None, None, 9]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPLICANT])
def test_board_members_and_applicants_cannot_open_the_equality_report(client, auth, ctx, role):
    call = _answered_call({"woman": 5}, {"r2": 5})
    user = quick_user("member@example.org", role)
    if role == Role.REVIEWER:
        db.session.add(BoardMember(user_id=user.id))
        db.session.commit()
    auth.login(user)
    assert client.get(f"/stages/calls/{call.id}/equality").status_code == 403


def test_the_equality_report_is_in_french(client, auth, ctx):
    call = _answered_call({"woman": 5}, {"r2": 5})
    auth.login(quick_user("rh@example.org", Role.ADMIN, locale="fr"))
    page = client.get(f"/stages/calls/{call.id}/equality").get_data(as_text=True)
    assert "Rapport d’égalité" in page and "Femme" in page


def test_no_small_number_of_people_can_be_found_by_subtracting_two_stages():
    # 9 women submitted, 7 were eligible: the 2 who were not are a small group.
    table = equality.suppress_table([[9, 12, 20], [7, 12, 15], [7, 6, 10]])
    assert table[0] == [9, 12, 20]
    assert table[1][0] is None  # 9 - 7 < 5: hidden, and a second cell of its row with it
    assert sum(cell is None for cell in table[1]) >= 2
    # Among the cells still shown in each column, no difference is small but not zero.
    for col in range(3):
        shown = [row[col] for row in table if row[col] is not None]
        assert all(a - b == 0 or a - b >= 5 for a, b in zip(shown, shown[1:], strict=False))
    # Large differences and equal counts stay visible.
    assert equality.suppress_table([[20, 10], [10, 10]]) == [[20, 10], [10, 10]]
