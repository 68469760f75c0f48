"""iCalendar (RFC 5545) invitations for interviews, with iTIP methods (RFC 5546).

Written here rather than with the `icalendar` package: an invitation is one VEVENT with a
dozen properties, and the rules that matter (escaping, folding at 75 octets, CRLF, UTC
times) fit in a few small functions that the tests check line by line, without adding a
runtime dependency.

Identity and updates. The UID is stable per interview (`interview_uid`), so calendar
clients update the existing entry instead of adding one. The caller keeps a sequence
number per interview and increases it on every change that is sent (new time, new place,
cancellation); a REQUEST with a higher SEQUENCE replaces the entry, a CANCEL removes it.
Times are written in UTC ("Z"), which every client converts to its own zone, so no
VTIMEZONE is needed; show Europe/Paris times in the e-mail text.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

PRODUCT_ID = "-//icm-recruit//Interview invitations//EN"
LINE_LIMIT = 75
CRLF = "\r\n"


class Method(enum.StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Person:
    """An organizer or attendee: an e-mail address and an optional display name."""

    email: str
    name: str = ""


@dataclass(frozen=True)
class Interview:
    """What an invitation says about one interview."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    organizer: Person
    attendees: Sequence[Person] = ()
    description: str = ""
    location: str = ""
    url: str = ""
    optional_attendees: Sequence[Person] = ()


def interview_uid(interview_id: int, domain: str) -> str:
    """Return the stable UID of an interview, unique across the deployment's domain."""
    return f"interview-{interview_id}@{domain}"


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a character."""
    chunks: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_LIMIT:
            chunks.append(current)
            current, size = " ", 1  # a continuation line starts with one space
        current += char
        size += width
    chunks.append(current)
    return CRLF.join(chunks)


def format_utc(moment: datetime) -> str:
    """Format an aware datetime as a UTC DATE-TIME ("20270312T083000Z")."""
    if moment.tzinfo is None:
        raise ValueError("interview times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _param(value: str) -> str:
    """Return a parameter value, quoted when needed; double quotes are not allowed in it."""
    value = "".join(ch for ch in value if ch == "\t" or ord(ch) >= 32).replace('"', "'")
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def _mailto(email: str) -> str:
    """Return a mailto URI, refusing characters that would break the content line."""
    if not email or any(ch in email for ch in '\r\n"<> ') or "@" not in email:
        raise ValueError(f"not a usable e-mail address: {email!r}")
    return f"mailto:{email}"


def _person_line(name: str, person: Person, extra: str = "") -> str:
    """Return an ORGANIZER or ATTENDEE line."""
    common_name = f";CN={_param(person.name)}" if person.name else ""
    return f"{name}{common_name}{extra}:{_mailto(person.email)}"


def _attendee_lines(interview: Interview, method: Method) -> list[str]:
    """Return the ATTENDEE lines; a cancellation asks for no reply."""
    rsvp = "" if method is Method.CANCEL else ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
    roles = [(p, "REQ-PARTICIPANT") for p in interview.attendees]
    roles += [(p, "OPT-PARTICIPANT") for p in interview.optional_attendees]
    return [_person_line("ATTENDEE", p, f";ROLE={role}{rsvp}") for p, role in roles]


def _event_lines(interview: Interview, method: Method, stamp: datetime) -> list[str]:
    """Return the unfolded lines of the VEVENT."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(interview.uid)}",
        f"SEQUENCE:{interview.sequence}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART:{format_utc(interview.starts_at)}",
        f"DTEND:{format_utc(interview.ends_at)}",
        f"SUMMARY:{escape_text(interview.summary)}",
        f"STATUS:{'CANCELLED' if method is Method.CANCEL else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        _person_line("ORGANIZER", interview.organizer),
        *_attendee_lines(interview, method),
    ]
    if interview.description:
        lines.append(f"DESCRIPTION:{escape_text(interview.description)}")
    # Many clients show only LOCATION, so a video link also goes there when there is no room.
    location = interview.location or interview.url
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if interview.url:
        lines.append(f"URL:{_uri(interview.url)}")
    lines.append("END:VEVENT")
    return lines


def _uri(value: str) -> str:
    """Return a URI value; URIs are not TEXT-escaped, so refuse line breaks."""
    if any(ch in value for ch in "\r\n") or not value.strip():
        raise ValueError("a URL must be a single non-empty line")
    return value.strip()


def _validate(interview: Interview) -> None:
    """Raise ValueError for an interview no calendar could show correctly."""
    if not interview.uid or any(ch in interview.uid for ch in "\r\n"):
        raise ValueError("an interview needs a single-line UID")
    if interview.sequence < 0:
        raise ValueError("SEQUENCE cannot be negative")
    format_utc(interview.starts_at), format_utc(interview.ends_at)  # both must be aware
    if interview.ends_at <= interview.starts_at:
        raise ValueError("an interview must end after it starts")


def build_calendar(interview: Interview, method: Method, stamp: datetime | None = None) -> str:
    """Return the iCalendar text of an invitation (REQUEST) or a cancellation (CANCEL)."""
    _validate(interview)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method.value}",
        *_event_lines(interview, method, stamp or datetime.now(UTC)),
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + CRLF for line in lines)


def invitation(interview: Interview, stamp: datetime | None = None) -> bytes:
    """Return the .ics bytes inviting the attendees, or updating an earlier invitation."""
    return build_calendar(interview, Method.REQUEST, stamp).encode("utf-8")


def cancellation(interview: Interview, stamp: datetime | None = None) -> bytes:
    """Return the .ics bytes cancelling an interview; give it a higher sequence than before."""
    return build_calendar(interview, Method.CANCEL, stamp).encode("utf-8")


def content_type(method: Method) -> str:
    """Return the Content-Type of an .ics attachment for the method."""
    return f'text/calendar; charset="utf-8"; method={method.value}'
