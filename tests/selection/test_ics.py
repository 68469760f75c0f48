"""Interview .ics files: folding, escaping, times, methods; parsed back by a small reader."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from icm_recruit.selection.ics import (
    Interview,
    Method,
    Person,
    build_calendar,
    cancellation,
    content_type,
    escape_text,
    fold,
    interview_uid,
    invitation,
)

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
UNESCAPES = {"\\\\": "\\", "\\;": ";", "\\,": ",", "\\n": "\n", "\\N": "\n"}


def unfold(data: bytes) -> list[str]:
    """Return the logical content lines of an iCalendar stream."""
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only, no bare LF or CR
    return text.replace("\r\n ", "").removesuffix("\r\n").split("\r\n")


def parse_line(line: str) -> tuple[str, dict[str, str], str]:
    """Split a content line into name, parameters and value, honouring quoted parameters."""
    head, value = re.match(r'((?:[^:"]|"[^"]*")*):(.*)', line).groups()
    name, *params = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    parsed = dict(param.split("=", 1) for param in params)
    return name, {k: v.strip('"') for k, v in parsed.items()}, value


def unescape(value: str) -> str:
    """Undo TEXT escaping."""
    return re.sub(r"\\[\\;,nN]", lambda m: UNESCAPES[m.group()], value)


def event(data: bytes) -> dict[str, list[tuple[dict[str, str], str]]]:
    """Return the properties of the calendar, by name (VEVENT and VCALENDAR merged)."""
    found: dict[str, list[tuple[dict[str, str], str]]] = {}
    for line in unfold(data):
        name, params, value = parse_line(line)
        found.setdefault(name, []).append((params, value))
    return found


def make_interview(**changes) -> Interview:
    """Return an interview on 12 March 2027 at 09:30 in Paris, with changes applied."""
    starts = datetime(2027, 3, 12, 9, 30, tzinfo=PARIS)
    values = {
        "uid": interview_uid(42, "recruit.example.org"),
        "sequence": 0,
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=45),
        "summary": "Interview ICM-2027-0042, team leader; Neurosciences",
        "organizer": Person("hr@example.org", "Ressources humaines, ICM"),
        "attendees": [Person("zoe.muller@example.org", "Zoë Müller")],
        "optional_attendees": [Person("chair@example.org", "Chair")],
        "description": "Room 3.14\nBring slides, 20 minutes; questions after.",
        "location": "ICM, room 3.14",
    }
    return Interview(**{**values, **changes})


def test_invitation_parses_back_with_its_fields():
    props = event(invitation(make_interview(), stamp=STAMP))
    assert props["METHOD"][0][1] == "REQUEST"
    assert props["UID"][0][1] == "interview-42@recruit.example.org"
    assert props["SEQUENCE"][0][1] == "0"
    assert props["STATUS"][0][1] == "CONFIRMED"
    assert props["DTSTAMP"][0][1] == "20270201T120000Z"
    assert unescape(props["SUMMARY"][0][1]) == make_interview().summary
    assert unescape(props["DESCRIPTION"][0][1]) == make_interview().description
    assert unescape(props["LOCATION"][0][1]) == "ICM, room 3.14"
    assert [name for name in props if name in ("BEGIN", "END")] == ["BEGIN", "END"]
    assert [v for _, v in props["BEGIN"]] == ["VCALENDAR", "VEVENT"]


def test_paris_times_are_written_in_utc():
    winter = event(invitation(make_interview(), stamp=STAMP))  # CET, UTC+1
    assert winter["DTSTART"][0][1] == "20270312T083000Z"
    assert winter["DTEND"][0][1] == "20270312T091500Z"
    summer_start = datetime(2027, 7, 1, 10, 0, tzinfo=PARIS)  # CEST, UTC+2
    summer = event(
        invitation(
            make_interview(starts_at=summer_start, ends_at=summer_start + timedelta(hours=1))
        )
    )
    assert (summer["DTSTART"][0][1], summer["DTEND"][0][1]) == (
        "20270701T080000Z",
        "20270701T090000Z",
    )


def test_organizer_and_attendees_carry_names_roles_and_mailto():
    props = event(invitation(make_interview(), stamp=STAMP))
    organizer_params, organizer = props["ORGANIZER"][0]
    assert organizer == "mailto:hr@example.org"
    assert organizer_params["CN"] == "Ressources humaines, ICM"
    attendees = {value: params for params, value in props["ATTENDEE"]}
    assert attendees["mailto:zoe.muller@example.org"]["CN"] == "Zoë Müller"
    assert attendees["mailto:zoe.muller@example.org"]["ROLE"] == "REQ-PARTICIPANT"
    assert attendees["mailto:zoe.muller@example.org"]["RSVP"] == "TRUE"
    assert attendees["mailto:chair@example.org"]["ROLE"] == "OPT-PARTICIPANT"


def test_cancellation_keeps_uid_and_carries_the_higher_sequence():
    first = event(invitation(make_interview(sequence=0), stamp=STAMP))
    cancelled = event(cancellation(make_interview(sequence=2), stamp=STAMP))
    assert cancelled["UID"] == first["UID"]
    assert cancelled["METHOD"][0][1] == "CANCEL"
    assert cancelled["STATUS"][0][1] == "CANCELLED"
    assert cancelled["SEQUENCE"][0][1] == "2"
    assert all("RSVP" not in params for params, _ in cancelled["ATTENDEE"])


def test_video_link_goes_to_url_and_to_location_without_a_room():
    link = "https://meet.example.org/room?id=1,2;x"
    props = event(invitation(make_interview(location="", url=link), stamp=STAMP))
    assert props["URL"][0][1] == link
    assert unescape(props["LOCATION"][0][1]) == link


def test_every_physical_line_fits_75_octets_and_holds_whole_characters():
    long_summary = "Entretien « équipe » — " * 12 + "é" * 80
    data = invitation(make_interview(summary=long_summary), stamp=STAMP)
    for physical in data.split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")  # a split inside a character would not decode
    assert unescape(event(data)["SUMMARY"][0][1]) == long_summary


def test_fold_continuation_lines_start_with_one_space():
    folded = fold("DESCRIPTION:" + "x" * 200)
    lines = folded.split("\r\n")
    assert [len(line) for line in lines] == [75, 75, 64]
    assert all(line.startswith(" ") and not line.startswith("  ") for line in lines[1:])
    assert fold("SHORT:line") == "SHORT:line"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a,b;c", "a\\,b\\;c"),
        ("back\\slash", "back\\\\slash"),
        ("two\r\nlines\rand\nmore", "two\\nlines\\nand\\nmore"),
        ("colon: stays", "colon: stays"),
    ],
)
def test_escape_text(raw, escaped):
    assert escape_text(raw) == escaped


def test_parameter_values_lose_double_quotes_and_control_characters():
    person = Person("x@example.org", 'Eve "The Boss"\r\nATTENDEE:mailto:evil@example.org')
    data = invitation(make_interview(attendees=[person]), stamp=STAMP)
    attendees = event(data)["ATTENDEE"]
    assert len(attendees) == 2  # the injected line did not become an attendee
    assert [v for _, v in attendees] == ["mailto:x@example.org", "mailto:chair@example.org"]


@pytest.mark.parametrize(
    "changes",
    [
        {"starts_at": datetime(2027, 3, 12, 9, 30)},
        {"ends_at": datetime(2027, 3, 12, 9, 0, tzinfo=PARIS)},
        {"sequence": -1},
        {"uid": "a\r\nb"},
        {"organizer": Person("not an address")},
        {"attendees": [Person("x@example.org\r\nX-EVIL:1")]},
        {"url": "https://x.example\r\nX-EVIL:1"},
    ],
)
def test_unusable_interviews_are_refused(changes):
    with pytest.raises(ValueError):
        build_calendar(make_interview(**changes), Method.REQUEST, STAMP)


def test_content_type_names_the_method():
    assert content_type(Method.CANCEL) == 'text/calendar; charset="utf-8"; method=CANCEL'
