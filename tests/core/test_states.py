"""States carry their groups and labels; templates compare with them, never with raw strings."""

import re
from itertools import combinations
from pathlib import Path

import pytest
from flask_babel import force_locale

import icm_recruit.calls.models
import icm_recruit.core.outbox
import icm_recruit.reviews.models
import icm_recruit.selection.models  # noqa: F401  (every state enum is defined on import)
from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment.models import AssignmentStatus
from icm_recruit.board.models import ConflictStatus
from icm_recruit.core.states import StateEnum

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# A quoted literal compared with a status or an enum value: `x.status.value == 'open'`,
# `status in ('a', 'b')`, or a dict of literals looked up by `[x.status.value]`.
RAW_COMPARISON = re.compile(
    r"""(?:\.status|\.value|\bstatus)\s*(?:==|!=|\bnot\s+in\b|\bin\b)\s*[(\[]?\s*['"]"""
    r"""|['"]\s*(?:==|!=)\s*[\w.]*(?:\.status|\.value)\b"""
    r"""|\}\s*\[\s*[\w.]*(?:\.status|\.value)\s*\]""")


def _state_enums() -> list[type[StateEnum]]:
    return sorted(StateEnum.__subclasses__(), key=lambda cls: cls.__name__)


def test_the_pattern_catches_raw_comparisons():
    for line in ("{% if a.status.value == 'active' %}", "{% if call.status == 'open' %}",
                 "{% for s in x if s.status.value in ('a', 'b') %}",
                 "{% for status in ('suggested', 'confirmed') %}",
                 "{{ {'sent': 'ok'}[m.status.value] }}", "{% if 'done' != job.status.value %}"):
        assert RAW_COMPARISON.search(line), line
    for line in ("{% if a.status == AssignmentStatus.ACTIVE %}",
                 "{% if a.status in ApplicationStatus.in_review %}",
                 "<option value=\"{{ status.value }}\">", "{{ a.status.label }}"):
        assert not RAW_COMPARISON.search(line), line


def test_templates_compare_states_with_enums_not_raw_strings():
    found = [f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}"
             for path in sorted(TEMPLATES.rglob("*.*")) if path.suffix in {".html", ".txt"}
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if RAW_COMPARISON.search(line)]
    assert found == []


def test_the_named_groups_of_the_first_release():
    app, asg, conflict = ApplicationStatus, AssignmentStatus, ConflictStatus
    assert app.seen_by_board == {
        app.SUBMITTED, app.UNDER_REVIEW, app.REJECTED, app.SHORTLISTED, app.INTERVIEW,
        app.OFFERED, app.WAITLISTED, app.ACCEPTED, app.DECLINED}
    assert app.in_review == {app.SUBMITTED, app.UNDER_REVIEW}
    assert app.withdrawable == {
        app.DRAFT, app.SUBMITTED, app.UNDER_REVIEW, app.SHORTLISTED, app.INTERVIEW}
    assert asg.held == {asg.PROPOSED, asg.ACTIVE, asg.DONE}
    assert asg.published == {asg.ACTIVE, asg.DONE}
    assert conflict.blocking == {conflict.SUGGESTED, conflict.CONFIRMED}


@pytest.mark.parametrize("state", _state_enums(), ids=lambda cls: cls.__name__)
def test_every_group_holds_members_of_its_enum(state):
    for name, group in state.groups().items():
        assert isinstance(group, frozenset), name
        assert group, f"{state.__name__}.{name} is empty"
        assert all(isinstance(member, state) for member in group), name


@pytest.mark.parametrize("state", _state_enums(), ids=lambda cls: cls.__name__)
def test_no_two_groups_of_an_enum_have_the_same_members(state):
    twins = [(a, b) for (a, ga), (b, gb) in combinations(state.groups().items(), 2) if ga == gb]
    assert twins == []


def test_a_group_with_the_members_of_another_is_refused():
    with pytest.raises(ValueError, match="has the members of"):
        AssignmentStatus.define(held={AssignmentStatus.ACTIVE, AssignmentStatus.DONE})


@pytest.mark.parametrize("state", _state_enums(), ids=lambda cls: cls.__name__)
def test_every_member_has_a_label_in_english_and_french(app, state):
    assert state.has_labels()
    with app.test_request_context():
        with force_locale("en"):
            english = {member: str(member.label) for member in state}
        with force_locale("fr"):
            french = {member: str(member.label) for member in state}
    # A label missing from the French catalog would come back in English.
    untranslated = [m for m in state if not english[m].strip() or french[m] == english[m]]
    assert untranslated == []


def test_state_enums_are_template_globals(app):
    for state in _state_enums():
        assert app.jinja_env.globals[state.__name__] is state
