"""Demo data: accounts for every role, created once and reused."""

from icm_recruit.auth import views as auth_views
from icm_recruit.auth.models import Role, User
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

DEMO_PASSWORD = "demo-password-2027"  # noqa: S105 - printed demo login, demo database only

DEMO_PEOPLE = [
    ("hr@demo.icm-recruit.org", "Claire Martin", "fr", [Role.ADMIN]),
    ("chair@demo.icm-recruit.org", "Prof. Helen Brooks", "en", [Role.CHAIR, Role.REVIEWER]),
    ("reviewer1@demo.icm-recruit.org", "Prof. Jean Dupuis", "fr", [Role.REVIEWER]),
    ("reviewer2@demo.icm-recruit.org", "Prof. Maria Rossi", "en", [Role.REVIEWER]),
    ("reviewer3@demo.icm-recruit.org", "Prof. Kenji Tanaka", "en", [Role.REVIEWER]),
    ("applicant1@demo.icm-recruit.org", "Dr. Amina Diallo", "fr", [Role.APPLICANT]),
    ("applicant2@demo.icm-recruit.org", "Dr. Lucas Schmidt", "en", [Role.APPLICANT]),
]


def register_demo_logins(app) -> None:
    """Show the accounts above on the sign-in page of the demo."""
    auth_views.register_demo_logins(
        app, DEMO_PASSWORD, [(email, name, roles) for email, name, _locale, roles in DEMO_PEOPLE])


def _ensure_user(email: str, name: str, locale: str, roles: list[Role]) -> User:
    user = User.by_email(email)
    if user is None:
        user = User(email=email, name=name, locale=locale, email_verified_at=utcnow())
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    for role in roles:
        user.grant(role)
    return user


def seed_demo(applications: int | None = None, reviewers: int | None = None) -> list[str]:
    """Create the demo people; return the lines to print."""
    lines = [f"Demo sign-in (password for all: {DEMO_PASSWORD})"]
    for email, name, locale, roles in DEMO_PEOPLE:
        _ensure_user(email, name, locale, roles)
        lines.append(f"  {', '.join(r.value for r in roles):<18} {email}  ({name})")
    db.session.commit()
    from icm_recruit.applications.demo import seed_calls_and_applications

    lines += seed_calls_and_applications("hr@demo.icm-recruit.org",
                                         "applicant1@demo.icm-recruit.org",
                                         "applicant2@demo.icm-recruit.org")
    from icm_recruit.board.demo import seed_board

    lines += seed_board()
    from icm_recruit.reviews.demo import seed_review_demo

    lines += seed_review_demo()
    from icm_recruit.selection.demo import seed_selection

    lines += seed_selection("hr@demo.icm-recruit.org")
    from icm_recruit.meeting.demo import seed_meeting
    from icm_recruit.selection.demo import DEMO_SELECTION_SLUG

    lines += seed_meeting(DEMO_SELECTION_SLUG, "chair@demo.icm-recruit.org")
    from icm_recruit.selection.visit_demo import seed_visits

    lines += seed_visits(DEMO_SELECTION_SLUG, "hr@demo.icm-recruit.org")
    from icm_recruit.stages.demo import seed_staged_call

    lines += seed_staged_call("hr@demo.icm-recruit.org")
    return lines
