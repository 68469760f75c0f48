"""The access matrix: every route x every persona, generated from app.url_map.

Each persona stands in a relation to the application its requests point at: the target's
owner, another applicant, the assigned reviewer, an assigned but conflicted reviewer, an
unassigned reviewer, the chair, a conflicted chair, HR, anonymous; a reviewer and a
panelist whose conflict came after their review and their panel seat; and HR who applied
to the same call, whose requests point at their own application. TRAITS says what the
rules may know about each persona and every persona set is drawn from it: a persona
without a line there fails the suite, as does a route without an expectation. A leak is a
persona outside the allowed set that gets through; the figures are printed.
"""

import json
import re

import pytest

from tests.security.access_world import PERSONAS, build_world
from tests.support import PASSWORD

pytestmark = pytest.mark.services

# What each persona is, relative to the application in its URLs. A persona with no trait
# is refused everywhere except the public pages.
TRAITS = {
    "anonymous": set(),
    "owner": {"signed_in", "applicant", "owns"},
    "other_applicant": {"signed_in", "applicant"},
    "reviewer": {"signed_in", "board", "assigned", "reviews", "panel", "dossier"},
    "conflicted_reviewer": {"signed_in", "board", "assigned", "conflicted"},
    "unassigned_reviewer": {"signed_in", "board"},
    "chair": {"signed_in", "board", "chair", "dossier", "deliberates"},
    "conflicted_chair": {"signed_in", "board", "chair", "conflicted"},
    "admin": {"signed_in", "hr", "hr_of_application", "dossier", "deliberates"},
    # Exactly like conflicted_reviewer: the review already sent opens nothing any more.
    "reviewer_conflicted_after_review": {"signed_in", "board", "assigned", "conflicted"},
    # Still seated on the panel, but the conflict keeps them away from that interview.
    "panelist_conflicted_after_panel": {"signed_in", "board", "conflicted"},
    # The applicant of their own application, and HR of the call; never HR of their own.
    "hr_applicant": {"signed_in", "applicant", "owns", "hr"},
}
KNOWN_TRAITS = {
    "signed_in": "has an account and is signed in",
    "applicant": "may apply to calls",
    "owns": "is the applicant of the application",
    "board": "sits on the board: its general pages",
    "assigned": "holds an assignment on the application, theirs to decline",
    "reviews": "reviews the application: accepts, declines, fills the form",
    "panel": "scores the application's interview",
    "conflicted": "has a blocking conflict with the application",
    "chair": "chairs the board: the call's selection pages",
    "dossier": "may open the application's dossier",
    "deliberates": "reads the other reviews and the discussion",
    "hr": "HR: the call-level pages (lists, dashboards, exports, audit, mailbox)",
    "hr_of_application": "HR for this application: its page and every action on it",
}


def having(trait: str) -> set:
    return {persona for persona in PERSONAS if trait in TRAITS.get(persona, ())}


EVERYONE = set(PERSONAS)
SIGNED_IN = having("signed_in")
APPLICANTS = having("applicant")
OWNER = having("owns")
BOARD = having("board")
CONFLICTED = having("conflicted")
CHAIRS = having("chair")
DOSSIER = having("dossier")
DELIBERATES = having("deliberates")
HR = having("hr")
HR_OF_APPLICATION = having("hr_of_application")
TOKEN = "token"  # public routes taking a token: judged only on "no server error"
# Allowed, but the world has nothing to show there (no dossier PDF built, no decision yet,
# the job is of another kind): a 404 is the right answer for these.
NOTHING_TO_SHOW = {"applications_hr.dossier", "stages.edit", "decisions.preview",
                   "selection.job_status",
                   "evaluation.job_status",
                   "selection.export_ranking",
                   "reviews.dossier_pdf"}

EXPECTED = {
    # public pages and account flows
    "main.home": EVERYONE, "main.healthz": EVERYONE, "main.set_language": EVERYONE,
    "auth.login": EVERYONE, "auth.logout": EVERYONE, "auth.register": EVERYONE,
    "auth.verify_pending": EVERYONE, "auth.resend_verification": EVERYONE,
    "auth.verify_email": TOKEN, "auth.email_confirmed": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": TOKEN, "auth.accept_invite": TOKEN, "auth.second_factor": TOKEN,
    "referees.letter": TOKEN, "calls.open_calls": EVERYONE, "calls.show": EVERYONE,
    # one's own account
    "auth.account": SIGNED_IN, "auth.two_factor_setup": SIGNED_IN,
    "auth.disable_two_factor": SIGNED_IN, "auth.regenerate_recovery_codes": SIGNED_IN,
    "governance.my_data": SIGNED_IN, "governance.download_my_data": SIGNED_IN,
    "governance.erase": SIGNED_IN,
    # applicants, on their own application
    "applications.mine": APPLICANTS, "applications.start": APPLICANTS,
    "applications.edit": OWNER, "applications.upload": OWNER,
    "applications.remove_document": OWNER, "applications.save_draft": OWNER,
    "applications.add_referee": OWNER,
    "applications.cancel_referee": OWNER, "applications.resend_referee": OWNER,
    "applications.request_referee_again": OWNER,
    "applications.status": OWNER, "applications.submit": OWNER,
    "applications.withdraw": OWNER, "applications.download": OWNER | HR_OF_APPLICATION,
    "applications.change": OWNER, "applications.discard_change": OWNER,
    "decisions.portal": OWNER, "interviews.book": OWNER,
    # one's own imported publication list (applicants and board members)
    "publications.mine": APPLICANTS | BOARD, "publications.upload": APPLICANTS | BOARD,
    "publications.remove": APPLICANTS | BOARD,
    # board members
    "board.home": BOARD, "board.profile": BOARD, "board.call_list": BOARD,
    "board.availability": BOARD, "board.bid": BOARD - CONFLICTED,
    "board.declare": BOARD, "assignment.mine": BOARD, "reviews.dashboard": BOARD,
    "assignment.decline": having("assigned"),
    "reviews.accept": having("reviews"), "reviews.decline": having("reviews"),
    "reviews.review_form": having("reviews"),
    "reviews.dossier": DOSSIER, "reviews.document": DOSSIER, "reviews.letter": DOSSIER,
    "reviews.dossier_pdf": DOSSIER, "reviews.discussion": DELIBERATES,
    "reviews.other_reviews": DELIBERATES,
    "interviews.panel_home": BOARD, "interviews.score": having("panel"),
    "interviews.panel_dossier": having("panel"),
    # Interview visit planning: every board member answers for the windows whose panel
    # they sit on (the page lists only those); HR plans, and fixes the slots of a window
    # for one candidate when they may handle that candidate.
    "interviews.visit_availability": BOARD,
    # The world's call lets the chair plan visits and record decisions (calls.chair_rights):
    # the chair plans, never for an application they are in conflict with.
    "interviews.visit_planning": CHAIRS | HR,
    "interviews.fix_visit_slot": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "interviews.visit_programme": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "interviews.edit_visit_window": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "interviews.withdraw_visit_window": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "decisions.call_decisions": CHAIRS | HR,
    "decisions.record": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "decisions.preview": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    # the chair and HR
    "selection.index": CHAIRS | HR, "selection.overview": CHAIRS | HR,
    "selection.ranking": CHAIRS | HR, "selection.compute": CHAIRS | HR,
    "selection.export_ranking": CHAIRS | HR, "selection.export_reviews": CHAIRS | HR,
    "selection.shortlist": CHAIRS | HR, "selection.job_status": CHAIRS | HR,
    # Sending the outcomes tells only the applicants the sender may handle.
    "selection.outcomes": CHAIRS | HR, "selection.send_outcomes": CHAIRS | HR,
    "selection.edit_outcome_template": CHAIRS | HR,
    # The stages of a call: HR defines them; HR and the chair decide who goes on.
    "stages.index": CHAIRS | HR, "stages.add": HR, "stages.edit": HR, "stages.remove": HR,
    "stages.decide": CHAIRS | HR, "stages.outcomes": CHAIRS | HR,
    "stages.send_outcomes": CHAIRS | HR, "stages.edit_outcome_template": CHAIRS | HR,
    "stages.mark": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "stages.letters": CHAIRS | HR,
    "stages.application_letters": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    # Gender and career stage: the applicant's own answers; the aggregates for HR and chair.
    "stages.equality_form": OWNER, "stages.equality_withdraw": OWNER,
    "stages.equality_report": CHAIRS | HR,
    # The applicant's part of a later stage.
    "applications.stage_upload": OWNER, "applications.stage_send": OWNER,
    "applications.stage_texts": OWNER,
    # The form names the application (see FORM_DATA).
    "selection.mark": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    # The board meeting: its members (every board persona is invited), HR and the chair
    # open it; a member out of the room for the item under discussion still opens the
    # page, which says so (tests/meeting check what it shows). The agenda's items and
    # their record are for a runner in the room for that item.
    "meeting.mine": BOARD | HR, "meeting.show": BOARD | HR, "meeting.live": BOARD | HR,
    "meeting.call_meetings": CHAIRS | HR, "meeting.create": CHAIRS | HR,
    "meeting.pointer": CHAIRS | HR, "meeting.attendance": CHAIRS | HR,
    "meeting.agenda": CHAIRS | HR, "meeting.publish": CHAIRS | HR,
    # A group's order after a drag and drop: the items out of the room keep their places.
    "meeting.reorder": CHAIRS | HR,
    # Minutes not published yet: HR and the chair only.
    "meeting.minutes": CHAIRS | HR, "meeting.minutes_pdf": CHAIRS | HR,
    "meeting.move_item": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "meeting.set_group": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "meeting.record": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    # Evaluation reports: written by HR or a chair without a conflict, read by the applicant.
    "evaluation.call_reports": CHAIRS | HR, "evaluation.send_reports": CHAIRS | HR,
    "evaluation.job_status": CHAIRS | HR,
    "evaluation.edit_report": (CHAIRS - CONFLICTED) | HR_OF_APPLICATION,
    "evaluation.applicant_report": OWNER,
    # The chair's view of the calls in selection (read only; rows filtered by conflicts).
    "chair.home": CHAIRS | HR, "chair.call": CHAIRS | HR,
    # HR's e-mail texts: every kind of mail, its previews, its edited text.
    "admin.mail_texts": HR, "admin.mail_kind": HR, "admin.mail_kind_html": HR,
    "admin.edit_mail_text": HR,
    # The shortlist, stage and decision texts HR sets for every call (a call may override).
    "admin.edit_institute_text": HR,
}
ADMIN_PREFIXES = ("admin.", "applications_hr.", "assignment.", "board.", "calls.",
                  "decisions.", "governance.", "interviews.", "reviews.", "selection.")
# A route with one of these in its URL is about one application; HR routes about one
# application are for HR of that application only.
APPLICATION_OBJECTS = {"application_id", "assignment_id", "conflict_id", "document_id",
                       "interview_id", "request_id", "slot_id"}
# Call-level routes whose form names the application acted on. The request carries a
# valid form about the persona's application; a 422 there means nothing was done to it.
FORM_DATA = {
    "assignment.add": lambda ids: {"application_id": ids["application_id"],
                                   "member_id": ids["spare_reviewer_id"]},
    "board.add_manual": lambda ids: {"member": ids["spare_reviewer_id"],
                                     "application": ids["application_id"],
                                     "reason": "Former colleague."},
    "selection.mark": lambda ids: {"application_id": ids["application_id"],
                                   "outcome": "shortlisted", "reason": "Strong project."},
    "stages.mark": lambda ids: {"application_id": ids["application_id"],
                                "verdict": "advance", "reason": "Strong project."},
    "applications.stage_send": lambda ids: {"confirm": "y"},
    "stages.equality_form": lambda ids: {"gender": "woman", "career_stage": "r2",
                                         "consent": "y"},
    "stages.equality_withdraw": lambda ids: {"confirm": "y"},
    # HR's tags: on one application, or on the rows ticked in the call's list.
    "applications_hr.tag_selected": lambda ids: {"application_id": ids["application_id"],
                                                 "tag": "strong", "action": "add"},
    # HR screens the rows ticked in the call's list, after a confirmation page (a POST).
    "applications_hr.confirm_screening": lambda ids: {"application_id": ids["application_id"],
                                                      "decision": "eligible"},
    "applications_hr.screen_selected": lambda ids: {"application_id": ids["application_id"],
                                                    "decision": "eligible"},
    # Routes already about one application: a valid form makes a leak an action taken.
    "applications_hr.screen": lambda ids: {"decision": "eligible", "reason": "Checked."},
    "applications_hr.add_tag": lambda ids: {"tag": "strong"},
    "applications_hr.remove_tag": lambda ids: {"tag": "strong"},
    "applications_hr.save_search": lambda ids: {"name": "Strong ones", "q": "tag:strong"},
    "board.decide": lambda ids: {"reason": "Checked with the member."},
    "decisions.record": lambda ids: {"outcome": "offer", "feedback": "Well done."},
    # A valid text: a leak would be a saved text.
    "admin.edit_mail_text": lambda ids: {"subject": "New password", "action": "save",
                                         "body": "Hello {name}, {url}"},
    "admin.edit_institute_text": lambda ids: {"subject": "Offer {reference}", "action": "save",
                                              "body": "Dear {name}, {feedback}"},
}
FORM_NAMES_APPLICATION = {"assignment.add", "board.add_manual", "selection.mark", "stages.mark",
                          "applications_hr.tag_selected", "applications_hr.confirm_screening",
                          "applications_hr.screen_selected"}


def _url(rule, ids: dict) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "action":
            values[arg] = sorted(rule._converters[arg].items)[0]
        elif arg == "token":
            values[arg] = "not-a-valid-token"
        elif arg == "fmt":
            values[arg] = "csv"
        elif arg == "outcome" and rule.endpoint.startswith("stages."):
            values[arg] = "advance"
        elif arg == "outcome":
            values[arg] = "shortlisted" if "/outcomes/" in rule.rule else "offer"
        elif arg == "position":
            values[arg] = 2  # the world's call has one stage: nothing to show there
        elif arg == "locale":
            values[arg] = "en"
        elif arg == "kind" and "for-all-calls" in rule.rule:
            values[arg] = "selection_decision_letter"  # a kind written per call
        elif arg == "variant":
            values[arg] = "offer"
        elif arg == "document_id" and "letters" in rule.rule:
            values[arg] = ids["letter_id"]
        else:
            values[arg] = ids[arg]
    path = rule.rule
    for name, value in values.items():
        path = re.sub(r"<(?:[^:<>]+(?:\([^)]*\))?:)?" + name + ">", str(value), path)
    return path


def _signed_in_clients(app, world):
    from tests.support import csrf_from

    clients = {}
    for persona in PERSONAS:
        client = app.test_client()
        if persona != "anonymous":
            page = client.get("/login").get_data(as_text=True)
            client.post("/login", data={"csrf_token": csrf_from(page), "next": "",
                                        "email": world.users[persona].email,
                                        "password": PASSWORD})
        token = csrf_from(client.get("/login" if persona == "anonymous" else "/account")
                          .get_data(as_text=True))
        clients[persona] = (client, token)
    return clients


def _denied(response, endpoint: str) -> bool:
    # 400: refused before anything happened (a form the persona may not send is invalid).
    if response.status_code in (400, 401, 403, 404):
        return True
    if response.status_code == 422 and endpoint in FORM_NAMES_APPLICATION:
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _allowed(app, rule):
    """Return who may use the route, or None when nothing decides it."""
    allowed = EXPECTED.get(rule.endpoint)
    if allowed is not None or not rule.endpoint.startswith(ADMIN_PREFIXES):
        return allowed
    # Every other route is HR's: the declared role rule says so.
    kind, roles = getattr(app.view_functions[rule.endpoint], "_icm_access", (None, ()))
    if kind != "roles" or "admin" not in roles:
        return None
    about_application = (set(rule.arguments) & APPLICATION_OBJECTS
                         or rule.endpoint in FORM_NAMES_APPLICATION)
    allowed = set(HR_OF_APPLICATION if about_application else HR)
    return allowed | (CHAIRS if "chair" in roles else set())


def test_every_route_has_an_expectation(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    missing = sorted(r.endpoint for r in rules if _allowed(app, r) is None)
    assert missing == [], f"add these routes to the access matrix: {missing}"
    gone = sorted((set(EXPECTED) | set(FORM_DATA)) - {r.endpoint for r in rules})
    assert gone == [], f"the access matrix names routes that no longer exist: {gone}"


def test_every_persona_has_expectations():
    undecided = [p for p in PERSONAS if p not in TRAITS]
    assert undecided == [], f"say in TRAITS what the rules know about: {undecided}"
    assert sorted(TRAITS) == sorted(PERSONAS), "TRAITS names personas the world lacks"
    unknown = {t for traits in TRAITS.values() for t in traits} - set(KNOWN_TRAITS)
    assert unknown == set(), f"traits no expectation uses: {unknown}"
    # A conflict that comes after the review changes nothing to what it keeps closed.
    assert TRAITS["reviewer_conflicted_after_review"] == TRAITS["conflicted_reviewer"]


def _request(client, token, method, url, data):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token, **data})


def _check_one(clients, world, rule, method, persona, allowed, tally):
    client, token = clients[persona]
    ids = world.ids_for(persona)
    url = _url(rule, ids)
    data = FORM_DATA[rule.endpoint](ids) if rule.endpoint in FORM_DATA else {}
    response = _request(client, token, method, url, data)
    tally["cases"] += 1
    case = f"{method} {url} ({rule.endpoint}) as {persona}: {response.status_code}"
    if response.status_code >= 500:
        tally["errors"].append(case)
    if allowed == TOKEN:
        return
    case += ", expected allowed" if persona in allowed else ", expected refused"
    denied = _denied(response, rule.endpoint)
    if persona not in allowed and not denied:
        tally["leaks"].append(case)
    refused = denied and not (response.status_code == 404
                              and rule.endpoint in NOTHING_TO_SHOW)
    if persona in allowed and method == "GET" and refused:
        tally["refusals"].append(case)


def test_access_matrix(app, ctx):
    from icm_recruit.extensions import db

    world = build_world()
    assert set(world.users) == SIGNED_IN, "every signed-in persona needs a user"
    clients = _signed_in_clients(app, world)
    connection = db.engines[None]  # the test's outer connection (see conftest)
    tally = {"cases": 0, "leaks": [], "errors": [], "refusals": []}
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                   key=lambda r: r.rule)
    # Reads first, on the untouched world; then each state-changing request in a savepoint
    # that is rolled back, so one persona's change never hides another's leak.
    plan = [(rule, _allowed(app, rule)) for rule in rules]
    assert all(allowed is not None for _, allowed in plan), "a route has no expectation"
    for rule, allowed in plan:
        if "GET" in rule.methods:
            for persona in PERSONAS:
                _check_one(clients, world, rule, "GET", persona, allowed, tally)
    for rule, allowed in plan:
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            for persona in PERSONAS:
                savepoint = connection.begin_nested()
                try:
                    _check_one(clients, world, rule, method, persona, allowed, tally)
                finally:
                    savepoint.rollback()
    print("ACCESS_MATRIX", json.dumps({
        "personas": len(PERSONAS), "cases": tally["cases"], "leaks": len(tally["leaks"]),
        "server_errors": len(tally["errors"]), "wrongly_refused": len(tally["refusals"])}))
    assert tally["leaks"] == [], "\n".join(tally["leaks"])
    assert tally["errors"] == [], "\n".join(tally["errors"])
    assert tally["refusals"] == [], "\n".join(tally["refusals"])
