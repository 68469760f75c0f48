"""Demo data of the stages: an open call in two stages, a short application first.

Stage 1 asks for a CV and a short research synopsis, reviewed by two members; stage 2 asks
those the board selects for the full proposal, reviewed by three, with letters from
referees the institute chooses. Five people have submitted already; the demo applicants
can still apply. Idempotent: running it again changes nothing.
"""

from datetime import timedelta

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.applications.operations import make_reference
from icm_recruit.auth.models import User
from icm_recruit.calls.models import (
    Call,
    CallStage,
    CallStatus,
    Criterion,
    RefereeMode,
    call_by_slug,
)
from icm_recruit.core import audit
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.demo import applicant_user
from icm_recruit.stages.equality import EqualityAnswer

DEMO_STAGED_SLUG = "junior-group-leaders-2027"
EQUALITY = [("woman", "r2"), ("man", "r2"), ("woman", "r3"), ("unsaid", "r2")]
SUBMITTED = [
    ("ines.moreau@demo.icm-recruit.org", "Dr. Inès Moreau", "Sleep and memory replay", "FR"),
    ("david.cohen@demo.icm-recruit.org", "Dr. David Cohen", "Dopamine and motivation", "IL"),
    ("mei.lin@demo.icm-recruit.org", "Dr. Mei Lin", "Microglia in early development", "CN"),
    ("lukas.weber@demo.icm-recruit.org", "Dr. Lukas Weber", "Spinal cord repair", "DE"),
    ("ana.silva@demo.icm-recruit.org", "Dr. Ana Silva", "Neural codes of smell", "PT"),
]


def _call(admin: User) -> Call:
    now = utcnow()
    call = Call(
        slug=DEMO_STAGED_SLUG, title_en="Junior group leaders 2027 (in two stages)",
        title_fr="Chefs d’équipe junior 2027 (en deux étapes)",
        description_en="First a CV and a three-page synopsis; those the board selects then "
                       "send their full proposal.",
        description_fr="D’abord un CV et un résumé de trois pages ; les candidats retenus par "
                       "le conseil envoient ensuite leur projet complet.",
        opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=10),
        reviewers_per_application=2, referees_required=0, summary_word_limit=300,
        document_rules=[
            {"kind": "cv", "required": True, "max_mb": 5, "max_pages": 4},
            {"kind": "research_project", "required": True, "max_mb": 5, "max_pages": 3}],
        status=CallStatus.OPEN, created_by_id=admin.id)
    call.criteria.append(Criterion(position=0, name_en="Track record", name_fr="Parcours",
                                   weight=1.0, scale_min=1, scale_max=5))
    call.criteria.append(Criterion(position=1, name_en="Originality of the idea",
                                   name_fr="Originalité de l’idée", weight=1.0,
                                   scale_min=1, scale_max=5))
    db.session.add(call)
    db.session.flush()
    call.stages = [
        CallStage(position=1, name_en="Synopsis", name_fr="Résumé",
                  instructions_en="A CV and a synopsis of at most three pages.",
                  instructions_fr="Un CV et un résumé de trois pages au plus.",
                  opened_at=call.opens_at),
        CallStage(position=2, name_en="Full proposal", name_fr="Projet complet",
                  instructions_en="Send your full research proposal (at most 15 pages): "
                                  "aims, methods, five-year plan and budget.",
                  instructions_fr="Envoyez votre projet de recherche complet (15 pages au "
                                  "plus) : objectifs, méthodes, plan à cinq ans et budget.",
                  document_rules=[{"kind": "full_proposal", "required": True, "max_mb": 10,
                                   "max_pages": 15}],
                  sections=[
                      {"key": "s1", "title_en": "Five-year research programme",
                       "title_fr": "Programme de recherche à cinq ans", "word_limit": 1000,
                       "required": True},
                      {"key": "s2", "title_en": "Why the Paris Brain Institute",
                       "title_fr": "Pourquoi l’Institut du Cerveau", "word_limit": 300,
                       "required": True}],
                  closes_at=call.closes_at + timedelta(days=30), reviewers_per_application=3,
                  referee_mode=RefereeMode.INSTITUTION, referees_required=1),
    ]
    db.session.flush()
    for position, (en, fr, weight) in enumerate([
            ("Quality of the full proposal", "Qualité du projet complet", 2.0),
            ("Feasibility and plan", "Faisabilité et plan", 1.0)]):
        db.session.add(Criterion(call_id=call.id, stage=2, position=position, name_en=en,
                                 name_fr=fr, weight=weight, scale_min=1, scale_max=5))
    audit.record("call.created", actor=admin, obj=call, slug=call.slug, via="seed-demo")
    audit.record("stage.added", actor=admin, obj=call, stage=2, via="seed-demo")
    return call


def seed_staged_call(admin_email: str) -> list[str]:
    """Create the two-stage demo call once; return the lines to print."""
    existing = call_by_slug(DEMO_STAGED_SLUG)
    if existing is not None:
        return [f"Call in two stages: /stages/calls/{existing.id}"]
    admin = User.by_email(admin_email)
    if admin is None:
        return []
    call = _call(admin)
    for index, (email, name, title, country) in enumerate(SUBMITTED):
        user = applicant_user(email, name, admin.password_hash)
        application = Application(
            call=call, applicant_id=user.id, status=ApplicationStatus.SUBMITTED,
            current_position="Postdoctoral fellow", institution="University", country=country,
            phd_year=2016 + index % 4, title=title, keywords="neuroscience",
            summary=title + ". " * 20, publications="Selected papers.",
            submitted_at=utcnow() - timedelta(days=5 - index))
        db.session.add(application)
        db.session.flush()
        application.reference = make_reference(application)
        # Four of the five answered the optional equality questions, with consent.
        if index < len(EQUALITY):
            gender, career = EQUALITY[index]
            db.session.add(EqualityAnswer(application_id=application.id, gender=gender,
                                          career_stage=career))
    db.session.commit()
    return [f"Call in two stages (open): /stages/calls/{call.id}"]
