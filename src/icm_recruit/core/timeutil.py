"""Time zone rules: store aware UTC, show in the viewer's zone (Europe/Paris by default)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    return value.astimezone(ZoneInfo(zone) if zone else PARIS)


def paris_to_utc(local: datetime) -> datetime:
    """Interpret a naive datetime typed by a user as Europe/Paris wall time."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=PARIS)
    return local.astimezone(UTC)
