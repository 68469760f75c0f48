"""The minutes of a meeting, as the reader may read them: HTML and a bilingual PDF.

They list who was invited and present, each item's outcome, votes and consensus
statement, and who left the room for which item with the code of the reason (never the
free text of the conflict). An item the reader was out of the room for appears only as
its number.
"""

import textwrap
from dataclasses import dataclass, field

from flask_babel import force_locale

from icm_recruit.applications.dossier import WRAP, text_pdf
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import to_zone
from icm_recruit.meeting import queries, rules
from icm_recruit.meeting.models import AgendaItem, Meeting
from icm_recruit.meeting.operations import ordered_items

REASON_LABELS = {
    "declared": _l("declared by the member"),
    "institution": _l("same institution"),
    "email_domain": _l("same e-mail domain"),
    "referee": _l("referee of the applicant"),
    "coauthor": _l("co-author or collaborator"),
    "manual": _l("recorded by HR"),
    "self": _l("own application"),
    "requested_exclusion": _l("excluded at the applicant’s request"),
}


def reason_label(code: str) -> str:
    label = REASON_LABELS.get(code)
    return str(label) if label is not None else code


@dataclass
class MinutesItem:
    number: int
    item: AgendaItem
    visible: bool
    departures: list = field(default_factory=list)  # [(name, reason code)]


@dataclass
class Minutes:
    meeting: Meeting
    present: list
    absent: list
    items: list[MinutesItem]
    loaded: list = field(default_factory=list)  # keeps the agenda's rows in the session


def minutes_for(meeting: Meeting, reader) -> Minutes:
    """The minutes as this reader may read them."""
    loaded = queries.load_agenda(meeting)
    hidden = rules.out_of_room_item_ids(reader, meeting)
    departures = queries.departures_of(meeting)
    members = sorted(meeting.members, key=lambda m: m.user.name)
    items = []
    for number, item in enumerate(ordered_items(meeting), start=1):
        visible = item.id not in hidden
        gone = [(d.user.name, d.reason) for d in departures.get(item.id, [])] if visible else []
        items.append(MinutesItem(number, item, visible, gone))
    return Minutes(meeting, [m.user for m in members if m.present],
                   [m.user for m in members if not m.present], items, loaded)


def _wrap(text: str, indent: str = "") -> list[str]:
    out = []
    for paragraph in (text or "").splitlines():
        out += textwrap.wrap(paragraph, WRAP - len(indent), initial_indent=indent,
                             subsequent_indent=indent) or [""]
    return out


def _votes(item: AgendaItem) -> str:
    return _("for %(f)s, against %(a)s, abstentions %(x)s",
             f=item.votes_for if item.votes_for is not None else "–",
             a=item.votes_against if item.votes_against is not None else "–",
             x=item.votes_abstain if item.votes_abstain is not None else "–")


def _item_lines(entry: MinutesItem, colon: str) -> list[str]:
    if not entry.visible:
        return [_("Item %(n)d: you were out of the room for this item.", n=entry.number), ""]
    item = entry.item
    application = item.application
    lines = [f"{entry.number}. {application.reference} · {application.applicant.name}",
             f"   {_('Outcome')}{colon} "
             f"{item.outcome.label if item.outcome else _('not recorded')}"]
    if item.has_votes:
        lines.append(f"   {_('Votes')}{colon} {_votes(item)}")
    if item.consensus:
        lines.append(f"   {_('Consensus statement')}{colon}")
        lines += _wrap(item.consensus, "     ")
    for name, reason in entry.departures:
        lines.append("   " + _("Left the room: %(name)s (%(reason)s)", name=name,
                                 reason=reason_label(reason)))
    return [*lines, ""]


def text_lines(minutes: Minutes, locale: str) -> list[str]:
    """The minutes as lines of text in one language."""
    meeting = minutes.meeting
    with force_locale(locale):
        colon = _(":")
        title = meeting.call.title_fr if locale == "fr" else meeting.call.title_en
        when = to_zone(meeting.starts_at, "Europe/Paris").strftime("%d/%m/%Y %H:%M %Z")
        lines = [_("Minutes of the board meeting"), title or "", "",
                 f"{_('Date')}{colon} {when}"]
        if meeting.location:
            lines.append(f"{_('Place')}{colon} {meeting.location}")
        if meeting.video_url:
            lines.append(f"{_('Video link')}{colon} {meeting.video_url}")
        if not meeting.is_published:
            lines.append(_("Draft: not published yet."))
        lines += ["", f"{_('Present')}{colon} " + (", ".join(u.name for u in minutes.present)
                                                    or _("nobody recorded"))]
        if minutes.absent:
            lines.append(f"{_('Absent')}{colon} " + ", ".join(u.name for u in minutes.absent))
        lines += ["", _("Agenda and outcomes") + colon, ""]
        for entry in minutes.items:
            lines += _item_lines(entry, colon)
    return lines


def _printable(line: str) -> str:
    # The PDF's standard font covers Windows-1252: narrow no-break spaces become plain ones.
    return line.replace("\u202f", "\u00a0")


def minutes_pdf(minutes: Minutes) -> bytes:
    """One PDF holding the minutes in English, then in French."""
    lines = text_lines(minutes, "en") + ["", "—" * 20, ""] + text_lines(minutes, "fr")
    return text_pdf([_printable(line) for line in lines])
