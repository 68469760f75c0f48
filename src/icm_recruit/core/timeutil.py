"""Time zone rules: store aware UTC, show in the viewer's zone (Europe/Paris by default)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from icm_recruit.core.i18n import gettext

PARIS = ZoneInfo("Europe/Paris")

# Set while a message is rendered for one recipient: dates in it follow their zone, not
# the zone of whoever caused the message.
_recipient_zone: ContextVar[str | None] = ContextVar("recipient_zone", default=None)


def utcnow() -> datetime:
    return datetime.now(UTC)


def days_late(due_at: datetime | None, now: datetime) -> int:
    """Whole days past a due date, as pages and mails say it: 0 before it, at least 1 once
    it has passed (a review due this morning is "1 day late" tonight), 2 two days after."""
    if due_at is None or now <= due_at:
        return 0
    return max(1, (now - due_at).days)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime, also on SQLite (which keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def to_zone(value: datetime | None, zone: str | None = None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(zone_info(zone))


def zone_info(zone: str | None) -> ZoneInfo:
    """The zone of that name; Paris when none is given or the name is unknown."""
    if not is_known_zone(zone):
        return PARIS
    return ZoneInfo(zone)


def paris_to_utc(local: datetime) -> datetime:
    """Interpret a naive datetime typed by a user as Europe/Paris wall time."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=PARIS)
    return local.astimezone(UTC)


DEFAULT_ZONE = "Europe/Paris"
# Where the institute's board members and applicants mostly live; listed first.
COMMON_ZONES = (
    "Europe/Paris", "Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
    "Europe/Zurich", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Lisbon",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Toronto", "America/Sao_Paulo", "Asia/Jerusalem", "Asia/Kolkata",
    "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "UTC",
)
_REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
            "Europe", "Indian", "Pacific")


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Every IANA zone name this system can convert to."""
    return frozenset(available_timezones())


def is_known_zone(name: str | None) -> bool:
    return bool(name) and name in known_zones()


def zone_label(name: str) -> str:
    return name.replace("_", " ")


def zone_groups(common_label: str, current: str | None = None) -> dict[str, list]:
    """Choices for a zone select: the common zones first, then the rest by region.

    Legacy aliases (US/Eastern, Etc/GMT+5...) are left out of the list but still accepted;
    the user's current zone is always offered.
    """
    common = [z for z in COMMON_ZONES if z in known_zones()]
    groups: dict[str, list] = {common_label: [(z, zone_label(z)) for z in common]}
    for name in sorted(known_zones()):
        region = name.partition("/")[0]
        if region in _REGIONS and "/" in name and name not in common:
            groups.setdefault(region, []).append((name, zone_label(name)))
    listed = {value for choices in groups.values() for value, _label in choices}
    if current and current not in listed and is_known_zone(current):
        groups[common_label].insert(0, (current, zone_label(current)))
    return groups


@contextmanager
def recipient_zone(zone: str | None) -> Iterator[None]:
    """Show dates in `zone` (Paris when None) while rendering for someone else."""
    token = _recipient_zone.set(zone or DEFAULT_ZONE)
    try:
        yield
    finally:
        _recipient_zone.reset(token)


def rendering_zone() -> str | None:
    """The recipient's zone while a message is rendered for them, else None."""
    return _recipient_zone.get()


def paris_and_own(value: datetime | None, zone: str | None,
                  fmt: str = "%d/%m/%Y %H:%M %Z") -> str:
    """A moment in Paris time, followed by the viewer's own time when their zone differs.

    For forms that take Paris wall time: the viewer reads both clocks side by side.
    """
    if value is None:
        return ""
    paris, own = to_zone(value), to_zone(value, zone)
    if (own.utcoffset(), own.tzname()) == (paris.utcoffset(), paris.tzname()):
        return paris.strftime(fmt)
    return gettext("%(paris)s (%(own)s in your time zone)", paris=paris.strftime(fmt),
                   own=own.strftime(fmt))
