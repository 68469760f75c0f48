"""Every form and every URL converter fuzzed, as each persona; 0 server errors.

The forms come from the pages themselves: every GET route of `app.url_map` is opened as
every persona of the access world, and each `<form method="post">` found there (its
action, its fields with their names and current values) becomes a target. Hypothesis
then draws, per request, a persona's form and a way to spoil it: NUL and control
characters, invalid UTF-8, a megabyte of text, huge and negative numbers, NaN and
infinity, impossible dates, malformed e-mail addresses, a missing or a repeated field.
GET pages get spoiled query strings, and every URL argument gets impossible values.

Each request runs in a savepoint rolled back afterwards. A request that is refused (any
4xx, or a form shown again instead of a redirect) must not have written a row: the
transaction's own row counters (`pg_stat_xact_user_tables`) are compared before and
after it. The figures are printed (`pytest -s`).
"""

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from tests.security.access_world import PERSONAS, build_world
from tests.security.test_access_matrix import _signed_in_clients, _url

pytestmark = pytest.mark.services

# CI runs the size below; FUZZ_REQUESTS=20000 for a longer run.
FORM_REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "1000"))
HUGE = str(10**30)
# Tables an unsuccessful request may still write to, and why.
MAY_WRITE_WHEN_REFUSED = {
    "audit_event",       # a refused sign-in or token is itself recorded
}


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name, type, value)."""

    def __init__(self):
        super().__init__()
        self.forms, self._current, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": []}
            self.forms.append(self._current)
        elif self._current is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                kind += "-unchecked"
            self._current["fields"].append((attrs["name"], kind, attrs.get("value") or ""))
        elif tag == "textarea":
            self._current["fields"].append((attrs["name"], "textarea", ""))
        elif tag == "select":
            self._select = [attrs["name"], "select", None]
            self._current["fields"].append(self._select)
        if tag == "option" and self._select is not None and self._select[2] is None:
            self._select[2] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


@dataclass(frozen=True)
class Target:
    persona: str
    action: str
    fields: tuple  # (name, type, value)


def _discover(clients, world, rules):
    """Open every GET page as every persona; collect the POST forms shown there."""
    targets, pages, seen = [], [], set()
    for rule in rules:
        if "GET" not in rule.methods or rule.arguments & {"token"}:
            continue
        for persona in PERSONAS:
            client, _ = clients[persona]
            url = _url(rule, world.ids_for(persona))
            response = client.get(url)
            assert response.status_code < 500, f"GET {url} as {persona}"
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            pages.append((persona, url))
            parser = _Forms()
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                action = urlsplit(form["action"]).path or url
                fields = tuple((n, k, v or "") for n, k, v in form["fields"]
                               if not n.endswith("csrf_token"))
                key = (persona, action, tuple(sorted(n for n, _, _ in fields)))
                if key not in seen and action.startswith("/"):
                    seen.add(key)
                    targets.append(Target(persona, action, fields))
    return targets, pages


# Values that no field should have to store, by the kind of field they are aimed at.
CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\u202e", "\ufeff"])
BAD_TEXT = st.one_of(
    st.builds(lambda a, c, b: a + c + b, st.text(max_size=20), CONTROL, st.text(max_size=20)),
    st.sampled_from(["x\r\nBcc: victim@example.org", "\r\n", "line\nbreak", "   ",
                     "<script>alert(1)</script>", "' OR 1=1 --", "%00", "{{7*7}}",
                     "../../etc/passwd", "\U0001F600" * 50, "é" * 3000, "a" * 70_000]),
    st.text(min_size=1, max_size=60),
)
BAD_NUMBER = st.sampled_from([HUGE, "-" + HUGE, "9223372036854775808", "-1", "0", "nan",
                              "NaN", "inf", "-inf", "1e400", "0x10", "1_000", "", " 3 ",
                              "3.5", "٣", "1e-400"])
BAD_DATE = st.sampled_from(["2026-02-30", "2026-13-01T25:61", "0000-01-01", "9999-12-31T23:59",
                            "1969-12-31T23:59", "yesterday", "2026-03-29T02:30", "", "2026-1-1"])
BAD_EMAIL = st.sampled_from(["a@", "@b.org", "a@b@c.org", "ann\n@x.org", "a" * 300 + "@x.org",
                             "ann@x.org, bob@y.org", "ann@localhost", "ann@[127.0.0.1]",
                             "\x00@x.org", "anne@exämple.org"])
MEGABYTE = "m" * 1_000_000


def _spoil(draw, fields):
    """A MultiDict of the form with one or more fields spoiled."""
    data = MultiDict()
    for name, kind, value in fields:
        if kind.endswith("-unchecked") or kind in ("submit", "file"):
            continue
        data.add(name, value)
    names = [n for n, _, _ in fields] or ["q"]
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names))
        kind = next((k for n, k, _ in fields if n == name), "text")
        how = draw(st.sampled_from(["text", "number", "date", "email", "drop", "repeat",
                                    "aimed", "aimed", "aimed", "megabyte"]))
        if how == "aimed":
            how = ("number" if kind == "number" or re.search(r"(_id|id|weight|score|min|max|"
                                                             r"year|mb|pages|duration)$", name)
                   else "date" if "date" in kind or "_at" in name or "_on" in name
                   else "email" if kind == "email" or "email" in name else "text")
        if how == "drop":
            data.poplist(name)
        elif how == "repeat":
            data.add(name, draw(st.one_of(BAD_TEXT, BAD_NUMBER)))
        elif how == "megabyte":
            data.setlist(name, [MEGABYTE])
        else:
            strategy = {"text": BAD_TEXT, "number": BAD_NUMBER, "date": BAD_DATE,
                        "email": BAD_EMAIL}[how]
            data.setlist(name, [draw(strategy)])
    return data


def _writes(connection) -> Counter:
    # The counters pg_stat_xact_user_tables shows, read for the application's tables alone
    # (the view costs twice as much, and this runs twice for every request).
    rows = connection.execute(text(
        "SELECT c.relname, pg_stat_get_xact_tuples_inserted(c.oid)"
        " + pg_stat_get_xact_tuples_updated(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'r' AND n.nspname = current_schema()"))
    return Counter({name: count for name, count in rows if count})


def _changed(before: Counter, after: Counter) -> set:
    return {name for name in after if after[name] != before.get(name, 0)}


def _refused(method: str, response) -> bool:
    return response.status_code >= 400 or (method == "POST" and response.status_code == 200)


class Tally:
    def __init__(self):
        self.requests = 0
        self.by_status = Counter()
        self.errors, self.writes = [], []
        self.forms_hit = set()
        self.accepted_writes = 0  # proves the row counters see the requests' writes

    def check(self, connection, client, method, url, persona, send):
        before = _writes(connection)
        savepoint = connection.begin_nested()
        try:
            response = send()
            after = _writes(connection)
        finally:
            savepoint.rollback()
        self.requests += 1
        self.by_status[response.status_code // 100 * 100] += 1
        case = f"{method} {url[:120]} as {persona}: {response.status_code}"
        if response.status_code >= 500:
            self.errors.append(case)
        if _refused(method, response):
            wrote = _changed(before, after) - MAY_WRITE_WHEN_REFUSED
            if wrote:
                self.writes.append(f"{case} wrote {sorted(wrote)}")
        elif _changed(before, after):
            self.accepted_writes += 1
        return response


def _send_form(client, cookie, token, action, data, raw_bytes=None):
    client.set_cookie("session", cookie)
    if raw_bytes is not None:
        body = urlencode([("csrf_token", token)]).encode() + b"&" + raw_bytes
        return client.post(action, data=body,
                           content_type="application/x-www-form-urlencoded")
    data = MultiDict(data)
    data.setlist("csrf_token", [token])
    for key in list(data.keys()):
        if key.endswith("-csrf_token"):
            data.setlist(key, [token])
    return client.post(action, data=data)


@pytest.fixture
def fuzz_world(app, ctx):
    import uuid

    from icm_recruit.extensions import db

    app.config["RATELIMIT_PREFIX"] = f"icm-fuzz-{uuid.uuid4().hex[:12]}"
    world = build_world()
    clients = _signed_in_clients(app, world)
    # Each persona's session cookie, set again before every request: a fuzzed sign-out or
    # password change must not leave the persona anonymous for the rest of the run.
    cookies = {p: client.get_cookie("session").value if client.get_cookie("session") else ""
               for p, (client, _) in clients.items()}
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                   key=lambda r: r.rule)
    return world, clients, cookies, rules, db.engines[None]


def test_every_form_fuzzed_as_every_persona(app, fuzz_world):
    world, clients, cookies, rules, connection = fuzz_world
    targets, pages = _discover(clients, world, rules)
    post_rules = [r for r in rules if "POST" in r.methods]
    assert len(targets) > 50, "the pages show far fewer forms than the app has"
    tally = Tally()

    @settings(max_examples=FORM_REQUESTS, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[__import__(
                  "hypothesis").Phase.generate])
    @given(st.data())
    def one_request(data):
        draw = data.draw
        if draw(st.integers(0, 9)) < 8:
            target = draw(st.sampled_from(targets))
            client, token = clients[target.persona]
            raw = None
            if draw(st.integers(0, 19)) == 0:
                name = (target.fields[0][0] if target.fields else "q").encode()
                raw = name + b"=" + draw(st.sampled_from(
                    [b"%FF%FE", b"%C0%AF", b"%ED%A0%80", b"\xff\xfe", b"%E2%82"]))
            spoiled = _spoil(draw, target.fields)
            tally.forms_hit.add(target.action)
            tally.check(connection, client, "POST", target.action, target.persona,
                        lambda: _send_form(client, cookies[target.persona], token,
                                           target.action, spoiled, raw))
        else:
            persona, url = draw(st.sampled_from(pages))
            client, _ = clients[persona]
            name = draw(st.sampled_from(["page", "q", "sort", "status", "snapshot", "actor",
                                         "action", "to", "call", "opage", "apage", "next",
                                         "object_id", "filter", "order", "tag"]))
            value = draw(st.one_of(BAD_TEXT.filter(lambda v: len(v) < 5000), BAD_NUMBER,
                                   BAD_DATE))
            full = f"{url}{'&' if '?' in url else '?'}{name}={quote(value, safe='')}"

            def get():
                client.set_cookie("session", cookies[persona])
                return client.get(full)

            tally.check(connection, client, "GET", full, persona, get)

    one_request()
    report = {"requests": tally.requests, "forms": len(targets),
              "actions": len(tally.forms_hit), "post_routes": len(post_rules),
              "pages": len(pages), "by_status": dict(sorted(tally.by_status.items())),
              "server_errors": len(tally.errors), "refused_but_wrote": len(tally.writes),
              "accepted_and_wrote": tally.accepted_writes}
    print("FORM_FUZZ", json.dumps(report))
    assert tally.accepted_writes > 0, "no accepted request wrote: the row counters see nothing"
    assert tally.errors == [], "\n".join(sorted(set(tally.errors))[:40])
    assert tally.writes == [], "\n".join(sorted(set(tally.writes))[:40])


URL_VALUES = {
    "int": [HUGE, "9223372036854775808", "9223372036854775807", "0", "-1", "1e3", "%00",
            "١"],
    "default": ["%00", "a%01b", "%FF", "%C0%AF", "..%2F..%2Fetc", "x" * 3000, "%E2%80%AE",
                "%20", "ü"],
}


def test_every_url_argument_fuzzed(app, fuzz_world):
    world, clients, cookies, rules, connection = fuzz_world
    tally = Tally()
    for rule in rules:
        for arg in sorted(rule.arguments):
            converter = type(rule._converters[arg]).__name__
            values = URL_VALUES["int" if "Int" in converter else "default"]
            for value in values:
                for persona in ("admin", "owner", "chair", "anonymous"):
                    client, token = clients[persona]
                    spot = _url(rule, {**world.ids_for(persona), arg: "\x1f"})
                    if "\x1f" not in spot:
                        continue  # a fixed part of the route (token, format, action)
                    url = spot.replace("\x1f", value)
                    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                        def send(method=method, url=url, client=client, persona=persona,
                                 token=token):
                            client.set_cookie("session", cookies[persona])
                            if method == "GET":
                                return client.get(url)
                            return client.open(url, method=method,
                                               data={"csrf_token": token})
                        tally.check(connection, client, method, url, persona, send)
    print("URL_FUZZ", json.dumps({"requests": tally.requests,
                                  "by_status": dict(sorted(tally.by_status.items())),
                                  "server_errors": len(tally.errors),
                                  "refused_but_wrote": len(tally.writes)}))
    assert tally.errors == [], "\n".join(sorted(set(tally.errors))[:40])
    assert tally.writes == [], "\n".join(sorted(set(tally.writes))[:40])
