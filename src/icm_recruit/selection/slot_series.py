"""A series of interview slots: one after another, same place and panel, all or none."""

from datetime import datetime, timedelta

from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import paris_and_own
from icm_recruit.selection.interviews import create_slot
from icm_recruit.selection.models import InterviewSlot
from icm_recruit.selection.operations import SelectionError

MAX_SERIES = 40


class SlotSeriesError(DomainError):
    """One slot of the series was refused; none of the series is kept."""

    messages = {
        "slot_refused": _l("Slot %(position)d of %(count)d (%(when)s) was refused: %(why)s "
                           "No slot of the series was added."),
    }


def series_starts(first: datetime, *, count: int, duration: int, gap: int) -> list[datetime]:
    """Return the start of each slot: one after another, `gap` minutes apart."""
    step = timedelta(minutes=duration + gap)
    return [first + i * step for i in range(count)]


def create_slot_series(call, *, first_start: datetime, count: int, duration: int, gap: int,
                       location: str, video_url: str, panel_ids, by,
                       timezone: str | None = None) -> list[InterviewSlot]:
    """Create `count` slots through create_slot's checks; the caller rolls back on error."""
    starts = series_starts(first_start, count=count, duration=duration, gap=gap)
    slots = []
    for position, starts_at in enumerate(starts, start=1):
        try:
            slots.append(create_slot(call, starts_at=starts_at, duration=duration,
                                     location=location, video_url=video_url,
                                     panel_ids=panel_ids, by=by))
        except SelectionError as exc:
            raise SlotSeriesError("slot_refused", position=position, count=count,
                                  when=paris_and_own(starts_at, timezone),
                                  why=exc.message) from exc
    return slots
