"""Factories for board members and a signed-in client without paying for Argon2 each time."""

from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import BoardMember
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.support import PASSWORD

_HASH: dict[str, str] = {}


def quick_user(email: str, *roles: Role, name: str | None = None) -> User:
    """Create a user with a shared password hash (the password is tests.support.PASSWORD)."""
    if not _HASH:
        probe = User(email="probe@example.org", name="probe")
        probe.set_password(PASSWORD)
        _HASH["value"] = probe.password_hash
    user = User(email=email, name=name or email.split("@")[0], locale="en",
                password_hash=_HASH["value"], email_verified_at=utcnow())
    for role in roles:
        user.grant(role)
    db.session.add(user)
    db.session.commit()
    return user


def make_member(email: str, name: str, *, keywords: str = "", statement: str = "",
                affiliation: str = "", max_load: int = 10, roles=(Role.REVIEWER,),
                **fields) -> BoardMember:
    user = quick_user(email, *roles, name=name)
    member = BoardMember(user_id=user.id, affiliation=affiliation, expertise_keywords=keywords,
                         expertise_statement=statement, default_max_load=max_load,
                         past_affiliations=[], **fields)
    db.session.add(member)
    db.session.commit()
    return member


def sign_in(client, user: User) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
