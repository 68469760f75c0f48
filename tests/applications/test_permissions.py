"""Who may reach each route of calls and applications: role x relation x route."""

import pytest

from icm_recruit.applications.models import ApplicationStatus, Document, RefereeRequest
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import DocumentKind
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.support import PASSWORD, csrf_from

_HASH = {}


def _user(email: str, *roles: Role) -> User:
    """Create a user without paying for a fresh Argon2 hash in each of the many cases."""
    if not _HASH:
        probe = User(email="probe@example.org", name="probe")
        probe.set_password(PASSWORD)
        _HASH["value"] = probe.password_hash
    user = User(email=email, name=email.split("@")[0], locale="en",
                password_hash=_HASH["value"], email_verified_at=utcnow())
    for role in roles:
        user.grant(role)
    db.session.add(user)
    db.session.commit()
    return user


def _sign_in(client, user: User) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True

pytestmark = pytest.mark.services

ACTORS = {
    "anonymous": (),
    "owner": (Role.APPLICANT,),
    "other_applicant": (Role.APPLICANT,),
    "reviewer": (Role.REVIEWER,),
    "admin": (Role.ADMIN,),
}

# (method, url template, expected status per actor). 302 = sent to sign in (anonymous) or a
# redirect after a permitted POST; 403 = refused.
OWN_GET = {"anonymous": 302, "owner": 200, "other_applicant": 403, "reviewer": 403,
           "admin": 403}
OWN_POST = {"anonymous": 302, "owner": 302, "other_applicant": 403, "reviewer": 403,
            "admin": 403}
ADMIN_GET = {"anonymous": 302, "owner": 403, "other_applicant": 403, "reviewer": 403,
             "admin": 200}
ROUTES = [
    ("GET", "/calls", dict.fromkeys(ACTORS, 200)),
    ("GET", "/calls/{slug}", dict.fromkeys(ACTORS, 200)),
    ("GET", "/applications", {**OWN_GET, "other_applicant": 200, "reviewer": 403}),
    ("GET", "/applications/{app}", OWN_GET),
    ("POST", "/applications/{app}", OWN_POST),
    ("GET", "/applications/{app}/status", OWN_GET),
    ("GET", "/applications/{app}/withdraw", OWN_GET),
    ("POST", "/applications/{app}/withdraw", {**OWN_POST, "owner": 200}),
    ("POST", "/applications/{app}/submit", OWN_POST),
    ("POST", "/applications/{app}/documents", {**OWN_POST, "owner": 400}),
    ("POST", "/applications/{app}/documents/{doc}/remove", OWN_POST),
    ("POST", "/applications/{app}/referees", {**OWN_POST, "owner": 422}),  # form kept
    ("POST", "/applications/{app}/referees/{ref}/resend", OWN_POST),
    ("POST", "/applications/{app}/referees/{ref}/cancel", {**OWN_POST, "owner": 200}),
    ("GET", "/documents/{doc}", {**OWN_GET, "admin": 200}),
    ("GET", "/documents/{letter}", {**OWN_GET, "owner": 403, "admin": 200}),
    ("POST", "/calls/{slug}/apply", {**OWN_POST, "other_applicant": 302}),
    ("GET", "/admin/calls", ADMIN_GET),
    ("GET", "/admin/calls/new", ADMIN_GET),
    ("GET", "/admin/calls/{call}", ADMIN_GET),
    ("GET", "/admin/calls/{call}/edit", ADMIN_GET),
    ("POST", "/admin/calls/{call}/status", {**ADMIN_GET, "admin": 302}),
    ("GET", "/admin/calls/{call}/applications", ADMIN_GET),
    ("GET", "/admin/calls/{call}/applications.csv", ADMIN_GET),
    ("GET", "/admin/applications/{app}", ADMIN_GET),
    ("POST", "/admin/applications/{app}/screening", {**ADMIN_GET, "admin": 422}),
    ("GET", "/admin/applications/{app}/dossier.pdf", {**ADMIN_GET, "admin": 404}),
]


@pytest.fixture
def world(ctx):
    call = make_call()
    owner = _user("owner@example.org", Role.APPLICANT)
    application = make_application(call, owner, complete=True)
    document = Document(application=application, kind=DocumentKind.OTHER, size=10, pages=1,
                        original_filename="x.pdf", sha256="a" * 64, storage_key="a" * 64)
    letter = Document(application=application, kind=DocumentKind.LETTER, size=10, pages=1,
                      original_filename="l.pdf", sha256="b" * 64, storage_key="b" * 64)
    referee = RefereeRequest(application=application, name="R", email="r@example.org",
                             expires_at=utcnow(), token_hash="c" * 64)
    db.session.add_all([document, letter, referee])
    db.session.commit()
    return {"slug": call.slug, "call": call.id, "app": application.id, "doc": document.id,
            "letter": letter.id, "ref": referee.id, "owner": owner}


@pytest.fixture(autouse=True)
def _files(app):
    from icm_recruit.core import storage

    for key in ("a" * 64, "b" * 64):
        with app.app_context():
            path = storage.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 test")


@pytest.mark.parametrize("method,template,expected", ROUTES,
                         ids=[f"{m} {t}" for m, t, _ in ROUTES])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_route_access(client, world, actor, method, template, expected):
    if actor == "owner":
        _sign_in(client, world["owner"])
    elif ACTORS[actor]:
        _sign_in(client, _user(f"{actor}@example.org", *ACTORS[actor]))
    url = template.format(**world)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token})
    assert response.status_code == expected[actor], response.get_data(as_text=True)[:300]
    if expected[actor] == 302 and actor == "anonymous":
        assert response.headers["Location"].startswith("/login")


def test_submitted_application_is_read_only_for_its_owner(client, world):
    from icm_recruit.applications.models import Application

    application = db.session.get(Application, world["app"])
    application.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    _sign_in(client, world["owner"])
    page = client.get(f"/applications/{world['app']}").get_data(as_text=True)
    # Read only: before the deadline a change must be opened first, on its own page.
    assert 'id="dossier-form"' not in page
    assert "You can still change it until" in page
    assert f"/applications/{world['app']}/change" in page
