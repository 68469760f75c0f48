"""A call at its first stage, reviewed, with a second stage defined by HR through the UI."""

from dataclasses import dataclass
from datetime import timedelta

from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember
from icm_recruit.core.timeutil import to_zone, utcnow
from icm_recruit.extensions import db
from tests.selection.factories import (
    confirm,
    make_conflict,
    quick_user,
    reviewed_application,
    selection_call,
    submitted_review,
)
from tests.support import post_form

NAMES = ["Amina Diallo", "Lucas Schmidt", "Kim Lee", "Sofia Rossi", "Noah Martin"]


@dataclass
class StagedCall:
    call: object
    hr: object
    chair: object
    members: list
    conflicted: object
    applications: list


def paris(value) -> str:
    return to_zone(value).strftime("%Y-%m-%dT%H:%M")


def stage_two_form(**changes) -> dict:
    data = {
        "name_en": "Full application", "name_fr": "Candidature complète",
        "instructions_en": "Send the full research proposal.",
        "instructions_fr": "Envoyez le projet de recherche complet.",
        "closes_at": paris(utcnow() + timedelta(days=20)),
        "reviewers_per_application": "2", "review_due_at": "",
        "referee_mode": "institution", "referees_required": "1", "notify_outcome": "y",
        "doc_full_proposal-requested": "required", "doc_full_proposal-max_mb": "5",
        "doc_full_proposal-max_pages": "20",
        "criteria-0-criterion_id": "", "criteria-0-name_en": "Feasibility",
        "criteria-0-name_fr": "Faisabilité", "criteria-0-weight": "1",
        "criteria-0-scale_min": "1", "criteria-0-scale_max": "10",
        "criteria-0-description_en": "", "criteria-0-description_fr": "",
        "criteria-0-descriptors_en": "", "criteria-0-descriptors_fr": "",
    }
    data.update(changes)
    return data


def add_stage_two(client, call, **changes):
    url = f"/stages/calls/{call.id}/new"
    return post_form(client, url, stage_two_form(**changes))


def build(client, auth) -> StagedCall:
    call = selection_call("staged-2027")
    hr = quick_user("hr@example.org", Role.ADMIN, name="Claire Martin")
    chair = quick_user("chair@example.org", Role.CHAIR, Role.REVIEWER, name="Helen Chair")
    members = [quick_user(f"m{n}@example.org", Role.REVIEWER, name=name)
               for n, name in enumerate(["Prof. Ada Quill", "Prof. Bruno Vance",
                                         "Prof. Chen Wei"])]
    conflicted = members[2]
    for user in [chair, *members]:
        db.session.add(BoardMember(user_id=user.id))
    db.session.commit()
    applications = [reviewed_application(call, f"cand{n}@example.org", name=name,
                                         locale="fr" if n == 0 else "en")
                    for n, name in enumerate(NAMES)]
    criterion = call.criteria[0]
    for index, application in enumerate(applications):
        for member in members[:2]:
            submitted_review(application, member, {criterion: 5 - index})
    make_conflict(conflicted, applications[0])
    auth.login(hr)
    response = add_stage_two(client, call)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return StagedCall(call, hr, chair, members, conflicted, applications)


def mark(client, call, applications, verdict, reason="The board's view"):
    return post_form(client, f"/stages/calls/{call.id}/decide",
                     {"application_id": [str(a.id) for a in applications],
                      "verdict": verdict, "reason": reason})


def open_stage_two(client, staged: StagedCall, advancing: list) -> None:
    """Mark who goes on (the others stop) and confirm the outcomes, as HR does."""
    call, apps = staged.call, staged.applications
    mark(client, call, advancing, "advance")
    mark(client, call, [a for a in apps if a not in advancing], "stop")
    confirm(client, f"/stages/calls/{call.id}/outcomes")
    db.session.expire_all()
