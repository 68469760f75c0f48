"""The audit trail speaks to people: every recorded action has words in both languages,
objects and people are named, filters work by name and by kind of action, times are the
reader's, and the export adds all this beside the stored columns the chain check needs."""

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from icm_recruit.admin.audit_labels import ACTION_GROUPS, ACTION_LABELS
from icm_recruit.admin.audit_names import (
    DATA_KEY_LABELS,
    NOT_AUDIT_OBJECTS,
    OBJECT_TYPE_LABELS,
)
from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.core import audit
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.support import make_user

SOURCE = Path(__file__).resolve().parents[2] / "src" / "icm_recruit"

# Actions built at run time, and every value they take: a new one must be listed here,
# and each value needs its label.
DYNAMIC_ACTIONS = {
    "auth.password_{}": {"auth.password_reset", "auth.password_set_from_invite"},
    "{}.saved": {"letter_template.saved", "shortlist_template.saved", "mail_text.saved"},
    "{}.reset": {"letter_template.reset", "shortlist_template.reset", "mail_text.reset"},
    "application.{}": {"application.shortlisted", "application.rejected"},
}


# `audit.record`'s own parameters, not data of the event.
RECORD_PARAMETERS = {"actor", "obj", "object_type", "object_id"}


def _values(node) -> set[str] | str:
    """The strings an action argument can be, or a pattern with {} for unknown parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _values(node.body), _values(node.orelse)
        if isinstance(body, set) and isinstance(orelse, set):
            return body | orelse
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append([value.value])
            else:
                inner = _values(value.value)
                parts.append(sorted(inner) if isinstance(inner, set) else None)
        if all(p is not None for p in parts):
            results = {""}
            for options in parts:
                results = {r + o for r in results for o in options}
            return results
        return "".join(p[0] if p is not None and len(p) == 1 else "{}" for p in parts)
    return ast.unparse(node)


def _is_record(func) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "record" and getattr(func.value, "id", "") == "audit"
    return getattr(func, "id", "") == "record"


def recorded_actions() -> tuple[set[str], set[str]]:
    """Every action the code records, and the patterns it builds at run time."""
    actions, patterns = set(), set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            if not _is_record(node.func):
                continue
            found = _values(node.args[0])
            if isinstance(found, set):
                actions |= found
            else:
                patterns.add(found)
    return actions, patterns


def test_every_recorded_action_has_words():
    actions, patterns = recorded_actions()
    assert len(actions) > 90
    unknown = sorted(patterns - set(DYNAMIC_ACTIONS))
    assert unknown == [], f"actions built at run time, list their values: {unknown}"
    for pattern in patterns:
        regex = re.compile(re.escape(pattern).replace(r"\{\}", "[a-z_]+") + "$")
        assert all(regex.match(v) for v in DYNAMIC_ACTIONS[pattern]), pattern
        actions |= DYNAMIC_ACTIONS[pattern]
    missing = sorted(actions - set(ACTION_LABELS))
    assert missing == [], f"recorded without a label in admin/audit_labels.py: {missing}"


def _record_calls():
    """Every `audit.record` call of the code, as its syntax tree."""
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _is_record(node.func):
                yield node


def _constants_of(key: str) -> set[str]:
    """The constant values `audit.record` calls pass for one keyword."""
    return {kw.value.value for node in _record_calls() for kw in node.keywords
            if kw.arg == key and isinstance(kw.value, ast.Constant)}


def recorded_data_keys() -> set[str]:
    """The names of the data every `audit.record` call passes by keyword."""
    keys = {kw.arg for node in _record_calls() for kw in node.keywords if kw.arg}
    return keys - RECORD_PARAMETERS


def test_every_data_key_of_the_trail_has_words():
    # Their French words: test_french_catalogs_translate_every_string_in_the_code.
    keys = recorded_data_keys()
    assert len(keys) > 100
    missing = sorted(keys - set(DATA_KEY_LABELS))
    assert missing == [], f"recorded without words in admin/audit_names.py: {missing}"


def test_every_place_an_event_is_recorded_from_has_words():
    from icm_recruit.admin.audit_names import VIA_WORDS

    places = _constants_of("via")
    assert {"hr", "review", "seed-demo"} <= places
    assert sorted(places - set(VIA_WORDS)) == []


def test_every_kind_of_object_has_words(app):
    # An event's object is any row (its table's name is the kind); each has a noun, in
    # French too (test_french_catalogs_translate_every_string_in_the_code).
    tables = {mapper.class_.__tablename__ for mapper in db.Model.registry.mappers}
    assert len(tables) > 40
    assert sorted(tables - NOT_AUDIT_OBJECTS - set(OBJECT_TYPE_LABELS)) == []
    assert set(OBJECT_TYPE_LABELS) <= tables  # no label for a table that is gone
    written = _constants_of("object_type")
    assert written and written <= set(OBJECT_TYPE_LABELS)


def test_every_action_has_french_words_and_a_group(app):
    prefixes = [p for _label, group in ACTION_GROUPS.values() for p in group]
    assert [a for a in ACTION_LABELS if not a.startswith(tuple(prefixes))] == []
    with app.test_request_context():
        english = {a: str(label) for a, label in ACTION_LABELS.items()}
        with force_locale("fr"):
            french = {a: str(label) for a, label in ACTION_LABELS.items()}
    assert [a for a in ACTION_LABELS if english[a] == french[a]] == []


def test_the_scanner_sees_each_kind_of_call():
    tree = ast.parse('audit.record("a.b")\nrecord(f"x.{y}")\n'
                     'audit.record("c.d" if z else "c.e")\nrecord(f"p.{\'q\' if w else \'r\'}")')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    found = [_values(c.args[0]) for c in calls]
    assert {"a.b"} in found and "x.{}" in found and {"c.d", "c.e"} in found
    assert {"p.q", "p.r"} in found


# ---------------------------------------------------------------- through HTTP


@pytest.fixture
def trail(ctx):
    hr = make_user("hr.audit@example.org", Role.ADMIN, name="Claire Martin")
    amina = make_user("amina@example.org", name="Amina Diallo")
    member = make_user("jean@example.org", Role.REVIEWER, name="Jean Dupuis")
    call = make_call()
    call.title_fr = "Chefs d’équipe 2027"
    application = make_application(call, amina, status=ApplicationStatus.SUBMITTED,
                                   complete=True)
    audit.record("application.submitted", actor=amina, obj=application,
                 reference=application.reference, at_db="2027-03-01T10:00:00+00:00")
    audit.record("application.screened", actor=hr, obj=application, eligible=True,
                 before="submitted", reason="All documents there")
    audit.record("user.role_granted", actor=hr, obj=member, role="reviewer")
    audit.record("call.status_changed", actor=hr, obj=call, before="open", after="closed")
    audit.record("conflict.added", actor=hr, object_type="conflict", object_id=999_999,
                 reviewer_id=member.id, application_id=application.id, reason="Same lab")
    audit.record("visit_window.proposed", actor=hr, object_type="visit_window",
                 object_id=77)
    audit.record("visit_window.answered", actor=member, object_type="visit_window",
                 object_id=77, answer="if_needed")
    audit.record("visit_part.added", actor=hr, object_type="visit_part", object_id=5,
                 kind="chalk_talk")
    audit.record("document.uploaded", actor=amina, obj=application, kind="research_project")
    audit.record("dossier.opened", actor=member, obj=application, via="review")
    db.session.commit()
    hr.timezone = "America/New_York"
    db.session.commit()
    return {"hr": hr, "amina": amina, "member": member, "call": call,
            "application": application}


def test_the_trail_names_people_objects_and_actions(client, auth, trail):
    auth.login(trail["hr"])
    page = client.get("/admin/audit").get_data(as_text=True)
    reference = trail["application"].reference
    assert "Eligibility screened" in page and "application.screened" in page  # code as title
    assert f"{reference} · Amina Diallo" in page
    assert "Jean Dupuis" in page and "Role given" in page
    assert "Team leaders 2027" in page and "Call moved to another stage" in page
    # Details as lines, ids resolved, states in words, times in the reader's zone.
    assert "Reason:" in page and "All documents there" in page
    assert "Before:" in page and "Submitted" in page and "Closed" in page
    assert "Board member:" in page
    assert "01/03/2027 05:00 EST" in page
    assert "Visit window 77" in page and "visit_window 77" not in page
    # Stored codes in words: an answer, the kind of a visit's part or of a document.
    assert "If needed" in page and "Chalk talk" in page and "Research project" in page
    assert "if_needed" not in page and "chalk_talk" not in page
    assert "the board’s dossier</dd>" in page and ">review</dd>" not in page
    assert "America/New_York" in page
    assert "&#34;reason&#34;" not in page and '"reason":' not in page  # no JSON


def test_the_trail_in_french(client, auth, trail):
    trail["hr"].locale = "fr"
    db.session.commit()
    auth.login(trail["hr"])
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Éligibilité examinée" in page and "Rôle attribué" in page
    assert "Chefs d’équipe 2027" in page and "Appel passé à une autre étape" in page
    assert "Raison\u00a0:" in page or "Motif\u00a0:" in page
    assert "Type d’action" in page and "Personne (nom ou e-mail)" in page
    assert "Créneau de visite 77" in page  # an object by its kind's French noun
    assert "Si nécessaire" in page and "if_needed" not in page
    assert "le dossier du conseil</dd>" in page and ">review</dd>" not in page


def test_filter_by_person_name_and_by_kind_of_action(client, auth, trail):
    auth.login(trail["hr"])
    by_amina = client.get("/admin/audit?who=diallo").get_data(as_text=True)
    assert "Application submitted" in by_amina
    assert "Role given" not in by_amina and "Call moved" not in by_amina
    # A person's filter also finds what was done to their account.
    by_jean = client.get("/admin/audit?who=Jean").get_data(as_text=True)
    assert "Role given" in by_jean and "Application submitted" not in by_jean
    calls = client.get("/admin/audit?group=calls").get_data(as_text=True)
    assert "Call moved to another stage" in calls and "Role given" not in calls
    assert 'value="calls" selected' in calls
    # An unknown group filters nothing, a search with LIKE signs finds nobody.
    assert "Role given" in client.get("/admin/audit?group=nonsense").get_data(as_text=True)
    assert "No event matches" in client.get("/admin/audit?who=%25_").get_data(as_text=True)
    reference = trail["application"].reference
    about = client.get(f"/admin/audit?application={reference[-4:]}").get_data(as_text=True)
    assert "Eligibility screened" in about and "Conflict of interest added" in about
    assert "Role given" not in about


def test_export_keeps_the_stored_columns_and_adds_words(client, auth, trail):
    auth.login(trail["hr"])
    export = client.get("/admin/audit.csv?who=diallo")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0] == ["id", "at", "actor_id", "action", "object_type", "object_id", "data",
                       "prev_hash", "hash", "Who", "Action", "Object", "Details",
                       "When (your time zone)"]
    row = next(r for r in rows[1:] if r[3] == "application.submitted")
    stored = db.session.scalar(select(AuditEvent).where(AuditEvent.id == int(row[0])))
    assert row[1] == stored.at.isoformat() and row[8] == stored.hash
    assert row[9] == "Amina Diallo" and row[10] == "Application submitted"
    assert row[11] == f"{trail['application'].reference} · Amina Diallo"
    assert row[13].endswith(("-05:00", "-04:00"))  # New York, the reader's zone
    trail["hr"].locale = "fr"
    db.session.commit()
    french = client.get("/admin/audit.csv?group=calls").data.decode("utf-8-sig")
    header, first = french.splitlines()[:2]
    assert header.endswith("Qui;Action;Objet;Détails;Quand (votre fuseau horaire)")
    assert "Appel passé à une autre étape" in first and "Clos" in first


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def test_the_trail_costs_the_same_queries_for_few_and_many_events(client, auth, trail):
    auth.login(trail["hr"])

    def measure() -> int:
        counter = _Counter()
        event.listen(Engine, "before_cursor_execute", counter)
        try:
            assert client.get("/admin/audit").status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", counter)
        return counter.count

    few = measure()
    call = trail["call"]
    for n in range(30):
        applicant = make_user(f"many{n}@example.org", name=f"Applicant {n}")
        application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED)
        audit.record("application.submitted", actor=applicant, obj=application)
        audit.record("conflict.added", actor=trail["hr"], object_type="conflict",
                     object_id=n + 1, reviewer_id=trail["member"].id,
                     application_id=application.id)
    # The newest page again mentions every kind of thing the first one did.
    audit.record("user.role_granted", actor=trail["hr"], obj=trail["member"], role="chair")
    audit.record("call.status_changed", actor=trail["hr"], obj=call, before="closed",
                 after="in_review")
    db.session.commit()
    assert measure() == few


def test_the_person_filter_finds_people_named_only_in_the_details(client, auth, trail):
    """An event about an application whose details name a board member, or a panel of
    them, is found by the member's name; their name is shown in the details."""
    member, hr, application = trail["member"], trail["hr"], trail["application"]
    rosa = make_user("rosa@example.org", Role.REVIEWER, name="Rosa Diaz")
    audit.record("interview.booked", actor=hr, obj=application,
                 starts_at="2027-06-03T08:00:00+00:00", panel=[rosa.id, member.id])
    audit.record("assignment.proposed", actor=hr, obj=trail["call"], members=3)
    db.session.commit()
    auth.login(hr)
    by_jean = client.get("/admin/audit?who=dupuis").get_data(as_text=True)
    # The conflict names Jean in its details only; the interview, in its panel.
    assert "Conflict of interest added" in by_jean
    assert "Interview booked" in by_jean
    assert "Rosa Diaz, Jean Dupuis" in by_jean  # the panel, by names
    assert "Application submitted" not in by_jean
    by_rosa = client.get("/admin/audit?who=rosa").get_data(as_text=True)
    assert "interview.booked" in by_rosa and "conflict.added" not in by_rosa
    # A count kept under a list's key names nobody (user 3 is not in that event).
    by_number = client.get(f"/admin/audit?actor={rosa.id}").get_data(as_text=True)
    assert "interview.booked" in by_number and "assignment.proposed" not in by_number
    export = client.get("/admin/audit.csv?who=dupuis").data.decode("utf-8-sig")
    assert "conflict.added" in export and "interview.booked" in export


def test_the_filtered_trail_costs_the_same_queries_for_few_and_many_events(client, auth,
                                                                          trail):
    auth.login(trail["hr"])

    def measure() -> int:
        counter = _Counter()
        event.listen(Engine, "before_cursor_execute", counter)
        try:
            assert client.get("/admin/audit?who=dupuis").status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", counter)
        return counter.count

    few = measure()
    for n in range(30):
        applicant = make_user(f"named{n}@example.org", name=f"Applicant {n}")
        application = make_application(trail["call"], applicant,
                                        status=ApplicationStatus.SUBMITTED)
        audit.record("conflict.added", actor=trail["hr"], object_type="conflict",
                     object_id=n + 1, reviewer_id=trail["member"].id,
                     application_id=application.id)
        audit.record("interview.booked", actor=trail["hr"], obj=application,
                     panel=[trail["member"].id])
    audit.record("user.role_granted", actor=trail["hr"], obj=trail["member"], role="chair")
    db.session.commit()
    assert measure() == few
