"""The access matrix: every route x every persona, generated from app.url_map.

Each persona stands in a relation to the target application: its owner, another
applicant, the assigned reviewer, an assigned but conflicted reviewer, an unassigned
reviewer, the chair, a conflicted chair, HR, and anonymous. EXPECTED names, per endpoint,
who may use it; a route missing from EXPECTED fails the suite. A leak is a persona outside
the allowed set that gets through; the figure (cases, leaks) is printed.
"""

import json
import re

import pytest

from tests.security.access_world import PERSONAS, build_world
from tests.support import PASSWORD

pytestmark = pytest.mark.services

EVERYONE = set(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
OWNER = {"owner"}
APPLICANTS = {"owner", "other_applicant"}
BOARD = {"reviewer", "conflicted_reviewer", "unassigned_reviewer", "chair", "conflicted_chair"}
ADMIN = {"admin"}
CHAIRS_AND_ADMIN = {"chair", "conflicted_chair", "admin"}
# Who may open the target application's dossier: HR, the non-conflicted chair, and the
# assigned reviewer without a conflict.
DOSSIER = {"admin", "chair", "reviewer"}
TOKEN = "token"  # public routes taking a token: judged only on "no server error"
# Allowed, but the world has nothing to show there (no dossier PDF built, no decision yet,
# the job is of another kind): a 404 is the right answer for these.
NOTHING_TO_SHOW = {"applications_hr.dossier", "decisions.preview", "selection.job_status",
                   "selection.export_ranking",
                   "reviews.dossier_pdf"}

EXPECTED = {
    # public pages and account flows
    "main.home": EVERYONE, "main.healthz": EVERYONE, "main.set_language": EVERYONE,
    "auth.login": EVERYONE, "auth.logout": EVERYONE, "auth.register": EVERYONE,
    "auth.verify_pending": EVERYONE, "auth.resend_verification": EVERYONE,
    "auth.verify_email": TOKEN, "auth.forgot_password": EVERYONE,
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
    "applications.remove_document": OWNER, "applications.add_referee": OWNER,
    "applications.cancel_referee": OWNER, "applications.resend_referee": OWNER,
    "applications.status": OWNER, "applications.submit": OWNER,
    "applications.withdraw": OWNER, "applications.download": OWNER | ADMIN,
    "decisions.portal": OWNER, "interviews.book": OWNER,
    # board members
    "board.home": BOARD, "board.profile": BOARD, "board.call_list": BOARD,
    "board.availability": BOARD, "board.bid": BOARD - {"conflicted_reviewer",
                                                         "conflicted_chair"},
    "board.declare": BOARD, "assignment.mine": BOARD, "reviews.dashboard": BOARD,
    "assignment.decline": {"reviewer", "conflicted_reviewer"},
    "reviews.accept": {"reviewer"}, "reviews.decline": {"reviewer"},
    "reviews.review_form": {"reviewer"},
    "reviews.dossier": DOSSIER, "reviews.document": DOSSIER, "reviews.letter": DOSSIER,
    "reviews.dossier_pdf": DOSSIER, "reviews.discussion": {"admin", "chair"},
    "reviews.other_reviews": {"admin", "chair"},
    "interviews.panel_home": BOARD, "interviews.score": {"reviewer"},
    # the chair and HR
    "selection.index": CHAIRS_AND_ADMIN, "selection.overview": CHAIRS_AND_ADMIN,
    "selection.ranking": CHAIRS_AND_ADMIN, "selection.compute": CHAIRS_AND_ADMIN,
    "selection.export_ranking": CHAIRS_AND_ADMIN, "selection.export_reviews": CHAIRS_AND_ADMIN,
    "selection.shortlist": CHAIRS_AND_ADMIN, "selection.mark": CHAIRS_AND_ADMIN,
    "selection.job_status": CHAIRS_AND_ADMIN,
}
ADMIN_PREFIXES = ("admin.", "applications_hr.", "assignment.", "board.", "calls.",
                  "decisions.", "governance.", "interviews.", "reviews.", "selection.")


def expected_for(endpoint: str):
    if endpoint in EXPECTED:
        return EXPECTED[endpoint]
    return None


def _url(rule, ids: dict) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "action":
            values[arg] = sorted(rule._converters[arg].items)[0]
        elif arg == "token":
            values[arg] = "not-a-valid-token"
        elif arg == "fmt":
            values[arg] = "csv"
        elif arg == "outcome":
            values[arg] = "offer"
        elif arg == "locale":
            values[arg] = "en"
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


def _denied(response) -> bool:
    # 400: refused before anything happened (a form the persona may not send is invalid).
    if response.status_code in (400, 401, 403, 404):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_every_route_has_an_expectation(app):
    missing = sorted(r.endpoint for r in app.url_map.iter_rules()
                     if r.endpoint != "static" and r.endpoint not in EXPECTED
                     and not r.endpoint.startswith(ADMIN_PREFIXES))
    assert missing == [], f"add these routes to the access matrix: {missing}"


def _check(clients, rule, url, method, allowed, tally):
    for persona in PERSONAS:
        client, token = clients[persona]
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        tally["cases"] += 1
        case = f"{method} {url} as {persona}: {response.status_code}"
        if response.status_code >= 500:
            tally["errors"].append(case)
        if allowed == TOKEN:
            continue
        if persona not in allowed and not _denied(response):
            tally["leaks"].append(case)
        refused = _denied(response) and not (response.status_code == 404
                                               and rule.endpoint in NOTHING_TO_SHOW)
        if persona in allowed and method == "GET" and refused:
            tally["refusals"].append(case)


def _allowed(app, rule):
    allowed = expected_for(rule.endpoint)
    if allowed is None:
        # Every other route is HR's: the declared role rule says so (checked here too).
        kind, roles = app.view_functions[rule.endpoint]._icm_access
        assert kind == "roles" and "admin" in roles, rule.endpoint
        allowed = ADMIN | ({"chair", "conflicted_chair"} if "chair" in roles else set())
    return allowed


def test_access_matrix(app, ctx):
    from icm_recruit.extensions import db

    world = build_world()
    clients = _signed_in_clients(app, world)
    connection = db.engines[None]  # the test's outer connection (see conftest)
    tally = {"cases": 0, "leaks": [], "errors": [], "refusals": []}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    # Reads first, on the untouched world; then each state-changing route in a savepoint
    # that is rolled back, so one persona's change never hides another's leak.
    for rule in sorted(rules, key=lambda r: r.rule):
        if "GET" in rule.methods:
            _check(clients, rule, _url(rule, world.ids), "GET", _allowed(app, rule), tally)
    for rule in sorted(rules, key=lambda r: r.rule):
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            savepoint = connection.begin_nested()
            try:
                _check(clients, rule, _url(rule, world.ids), method, _allowed(app, rule),
                       tally)
            finally:
                savepoint.rollback()
    print("ACCESS_MATRIX", json.dumps({
        "cases": tally["cases"], "leaks": len(tally["leaks"]),
        "server_errors": len(tally["errors"]), "wrongly_refused": len(tally["refusals"])}))
    assert tally["leaks"] == [], "\n".join(tally["leaks"])
    assert tally["errors"] == [], "\n".join(tally["errors"])
    assert tally["refusals"] == [], "\n".join(tally["refusals"])
