"""Test helpers: an SMTP sink, sign-in actions, CSRF-aware form posting, factories."""

import asyncio
import contextlib
import contextvars
import email
import email.policy
import re
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from icm_recruit.auth.models import Role, User
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

PASSWORD = "correct-horse-42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class IsolatedClient(FlaskClient):
    """A test client whose requests never reuse the test's own app context.

    Flask reuses an already pushed app context for a request, which would share `g`
    (cached user, CSRF token) and the database session between the test and every
    request. Running each request in an empty contextvars context avoids that.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.sink.hold_next_rcpt.is_set():
            self.sink.hold_next_rcpt.clear()
            self.sink.holding.set()
            # Keep the client waiting; the test kills it meanwhile.
            for _ in range(100):
                await asyncio.sleep(0.1)
                if self.sink.release.is_set():
                    break
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server on localhost that keeps what it receives."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.hold_next_rcpt = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def clear(self):
        with self.lock:
            self.messages.clear()
        self.hold_next_rcpt.clear()
        self.holding.clear()
        self.release.clear()

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text_of(message: Message) -> str:
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode()
        return ""

    def last_link(self, address: str, pattern: str = r"https?://\S+") -> str:
        messages = self.to(address)
        assert messages, f"no mail for {address}"
        links = re.findall(pattern, self.text_of(messages[-1]))
        assert links, "the mail contains no link"
        return links[-1]


CSRF_RE = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, page_url: str | None = None, **kwargs):
    """GET the page for a CSRF token, then POST the form with it."""
    page = client.get(page_url or url)
    token = csrf_from(page.get_data(as_text=True))
    prefix = next((k.split("-")[0] + "-" for k in data if "-" in k), "")
    payload = {f"{prefix}csrf_token" if prefix else "csrf_token": token, **data}
    return client.post(url, data=payload, **kwargs)


class AuthActions:
    def __init__(self, client, app):
        self.client = client
        self.app = app

    def login(self, user_or_email, password: str = PASSWORD, **kwargs):
        email_ = getattr(user_or_email, "email", user_or_email)
        return post_form(self.client, "/login", {"email": email_, "password": password},
                         **kwargs)

    def logout(self):
        page = self.client.get("/account")
        return self.client.post("/logout", data={"csrf_token": csrf_from(page.get_data(True))})


def make_user(email: str = "someone@example.org", *roles: Role, name: str = "Test Person",
              password: str = PASSWORD, verified: bool = True, locale: str = "en") -> User:
    user = User(email=email.lower(), name=name, locale=locale,
                email_verified_at=utcnow() if verified else None)
    user.set_password(password)
    for role in roles or (Role.APPLICANT,):
        user.grant(role)
    db.session.add(user)
    db.session.commit()
    return user


@contextlib.contextmanager
def demo_app(path, app):
    """A demo-profile app on a fresh SQLite file at `path`, migrated to the head; the test
    app's Celery is current again afterwards (creating an app makes its own current)."""
    from flask_migrate import upgrade

    from icm_recruit import create_app

    demo = create_app({"PROFILE": "demo", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    try:
        with demo.app_context():
            upgrade()
        yield demo
    finally:
        app.extensions["celery"].set_current()
        app.extensions["celery"].set_default()


def insert_people(conn, *ids: int) -> None:
    """Plain accounts with these ids, written in SQL (for a database at an earlier head)."""
    from sqlalchemy import text

    conn.execute(text(
        'INSERT INTO "user" (id, email, name, locale, timezone, active, session_nonce,'
        " created_at) VALUES (:id, 'p' || :id || '@example.org', 'P' || :id, 'en',"
        " 'Europe/Paris', true, 'n' || :id, now())"), [{"id": i} for i in ids])


def empty_every_table() -> None:
    """Empty the tables after a test that committed, but for the data's generation: it
    only ever counts up (a page kept under an earlier number must never match again)."""
    from sqlalchemy import text

    db.session.remove()
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables
                      if t.name not in ("page_generation", "page_generation_touch"))
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
