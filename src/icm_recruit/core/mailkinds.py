"""Every kind of e-mail the system sends: what it is for, who gets it, its placeholders.

The default text of a kind is its pair of files templates/mail/<kind>.txt / .html. HR may
write their own text instead, in the placeholder syntax of core/placeholders.py; each
placeholder is computed from the mail's context by a Jinja snippet (the same filters and
catalogs as the default files), in the recipient's language and time zone.
"""

from dataclasses import dataclass, field

from flask import current_app

from icm_recruit.core import placeholders
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.mailtext import link_mark


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: object  # a lazy string
    source: str  # Jinja snippet computing the value from the mail's context
    link: bool = False  # a one-time link: never in the subject, never shown in a preview
    # A whole sentence chosen by the mail, from before its parts could be written with
    # {if …}: still filled in texts saved with it, no longer offered. `covers`: the
    # required placeholders its sentence holds.
    legacy: bool = False
    covers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """A yes or no about one mail, for the parts of a text written {if name}…{end}."""

    name: str
    description: object  # a lazy string
    source: str  # Jinja expression on the mail's context, as the default files write it


@dataclass(frozen=True)
class MailKind:
    name: str
    title: object
    purpose: object
    recipients: object
    placeholders: tuple[Placeholder, ...]
    sample: dict
    required: tuple[str, ...] = ()
    # Kinds whose text HR writes per call and per outcome, on the call's own pages.
    per_call: bool = False
    # Both languages in one mail: the recipient's first, then the other.
    bilingual: bool = False
    # Partials holding one language's subject and body, for bilingual kinds.
    parts: tuple[str, str] | None = None
    secret_links: tuple[str, ...] = field(default=())
    conditions: tuple[Condition, ...] = ()
    # Other mails of the kind shown in the preview: (label, values changed from the sample).
    cases: tuple[tuple[object, dict], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every placeholder a text may use (the legacy ones too)."""
        return tuple(p.name for p in self.placeholders)

    @property
    def offered(self) -> tuple[Placeholder, ...]:
        """The placeholders offered to HR: not the legacy ones."""
        return tuple(p for p in self.placeholders if not p.legacy)

    @property
    def condition_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.conditions)

    def placeholder(self, name: str) -> Placeholder:
        return next(p for p in self.placeholders if p.name == name)


# Placeholders many kinds share ----------------------------------------------------------

NAME = Placeholder("name", _l("The recipient's name"), "{{ name }}")
REFERENCE = Placeholder("reference", _l("The application's reference"), "{{ reference }}")
CALL = Placeholder("call", _l("The call's title, in the recipient's language"),
                   "{{ in_lang(call_title_en, call_title_fr) }}")
REFEREE_NAME = Placeholder("name", _l("The referee's name"), "{{ referee }}")
APPLICANT = Placeholder("applicant", _l("The applicant's name"), "{{ applicant }}")
REFEREE = Placeholder("referee", _l("The referee's name"), "{{ referee }}")
MEMBER = Placeholder("member", _l("The board member's name"), "{{ member }}")


def _url(description, secret: bool = False) -> Placeholder:
    return Placeholder("url", description, "{{ url }}", link=secret)


def _when(name: str, key: str, description, zone: bool = True,
          fmt: str = "") -> Placeholder:
    args = ", ".join(([repr(fmt)] if fmt else []) + (["zone=zone"] if zone else []))
    return Placeholder(name, description, f"{{{{ {key}|from_iso|localdt({args}) }}}}")


def _legacy(placeholder: Placeholder, covers: tuple[str, ...] = ()) -> Placeholder:
    return Placeholder(placeholder.name, placeholder.description, placeholder.source,
                       placeholder.link, legacy=True, covers=covers)


def _length(name: str = "length") -> Placeholder:
    return Placeholder(name, _l("How long it lasts, in minutes"),
                       "{{ ngettext('%(num)d minute', '%(num)d minutes', duration) }}")


LOCATION = Placeholder("location", _l("The room or place"), "{{ location }}")
VIDEO = Placeholder("video", _l("The video link"), "{{ video_url }}")
HAS_LOCATION = Condition("location", _l("A room or place is given"), "location")
HAS_VIDEO = Condition("video", _l("A video link is given"), "video_url")

SAMPLE_CALL = {"call_title_en": "Team leaders in neuroscience 2027",
               "call_title_fr": "Chefs d’équipe en neurosciences 2027"}
SAMPLE_APPLICANT = {"name": "Ada Lovelace", "reference": "ICM-2027-0042", **SAMPLE_CALL}
SAMPLE_URL = "https://recruit.example.org/applications/42"
SAMPLE_REVIEW_URL = "https://recruit.example.org/review/assignments/7"
ZONE = "Europe/Paris"

_APPLICANT = _l("The applicant")
_REFEREE = _l("The referee named by the applicant")
_MEMBER = _l("A board member")
_HR = _l("HR")
_ACCOUNT = _l("The holder of the account")

_INTERVIEW_DETAILS = (
    "{% if kind == 'cancel' %}{% if role == 'applicant' %}{{ _('Your interview for the call "
    "\"%(call)s\" on %(when)s is cancelled. If you are still shortlisted, you can choose "
    "another time:', call=in_lang(call_title_en, call_title_fr), when=starts_at|from_iso|"
    "localdt(zone=zone)) }}\n\n{{ url }}{% else %}{{ _('The interview of %(ref)s on %(when)s "
    "no longer needs you on its panel, or is cancelled.', ref=reference, when=starts_at|"
    "from_iso|localdt(zone=zone)) }}{% endif %}{% else %}{% if kind == 'update' %}{{ _('The "
    "interview has changed. Here are its new details.') }}\n\n{% endif %}{% if role == "
    "'applicant' %}{{ _('Your interview for the call \"%(call)s\":', call=in_lang("
    "call_title_en, call_title_fr)) }}{% else %}{{ _('You are on the panel of the interview "
    "of %(ref)s:', ref=reference) }}{% endif %}\n\n{{ ngettext('When: %(when)s (%(num)d "
    "minute)', 'When: %(when)s (%(num)d minutes)', duration, when=starts_at|from_iso|"
    "localdt(zone=zone)) }}\n{% if location %}{{ _('Room: %(place)s', place=location) }}\n"
    "{% endif %}{% if video_url %}{{ _('Video link: %(url)s', url=video_url) }}\n{% endif %}"
    "{% if parts %}\n{{ _('Programme of the visit:') }}\n{% for part in parts %}- {{ "
    "part.starts_at|from_iso|localdt(zone=zone) }}–{{ part.ends_at|from_iso|localdt('%H:%M', "
    "zone=zone) }} · {{ part.label }}{% if part.place %} · {{ part.place }}{% endif %}{% if "
    "part.details %} · {{ part.details }}{% endif %}\n{% endfor %}{% endif %}"
    "\n{{ _('The attached calendar file adds it to your calendar.') }}\n\n{{ url }}{% endif %}")
_PROGRAMME = (
    "{% for part in parts %}- {{ part.starts_at|from_iso|localdt(zone=zone) }}–{{ part.ends_at"
    "|from_iso|localdt('%H:%M', zone=zone) }} · {{ part.label }}{% if part.place %} · "
    "{{ part.place }}{% endif %}{% if part.details %} · {{ part.details }}{% endif %}"
    "{% if not loop.last %}\n{% endif %}{% endfor %}")
_INTERVIEW_HEADLINE = (
    "{% if kind == 'cancel' %}{{ _('Interview cancelled: %(ref)s', ref=reference) }}{% elif "
    "kind == 'update' %}{{ _('Interview changed: %(ref)s', ref=reference) }}{% else %}"
    "{{ _('Interview: %(ref)s', ref=reference) }}{% endif %}")
_WINDOW_HEADLINE = (
    "{% if kind == 'withdrawn' %}{{ _('Visit window withdrawn: %(call)s', call=in_lang("
    "call_title_en, call_title_fr)) }}{% else %}{{ _('Visit window moved: %(call)s', "
    "call=in_lang(call_title_en, call_title_fr)) }}{% endif %}")
_WINDOW_DETAILS = (
    "{% if kind == 'withdrawn' %}{{ _('HR withdrew the interview visit window from %(start)s "
    "to %(end)s for which you had given your availability. Nothing more is asked of you for "
    "it.', start=was_starts_at|from_iso|localdt(zone=zone), end=was_ends_at|from_iso|"
    "localdt(zone=zone)) }}{% else %}{{ _('HR moved the interview visit window from %(start)s "
    "to %(end)s for which you had given your availability. It now runs from %(new_start)s to "
    "%(new_end)s; your answer was cleared: please say again whether you are free.', "
    "start=was_starts_at|from_iso|localdt(zone=zone), end=was_ends_at|from_iso|localdt("
    "zone=zone), new_start=starts_at|from_iso|localdt(zone=zone), new_end=ends_at|from_iso|"
    "localdt(zone=zone)) }}{% endif %}\n\n{{ url }}")
_WHEN_LINE = ("{{ ngettext('When: %(when)s (%(num)d minute)', 'When: %(when)s (%(num)d "
              "minutes)', duration, when=starts_at|from_iso|localdt(zone=zone)) }}")
_PLACE_LINES = ("{% if location %}{{ _('Room: %(place)s', place=location) }}\n{% endif %}"
                "{% if video_url %}{{ _('Video link: %(url)s', url=video_url) }}{% endif %}")
_DEADLINE_HEADLINE = (
    "{% if action == 'closed_early' %}{{ _('Call closed: %(call)s', call=in_lang("
    "call_title_en, call_title_fr)) }}{% elif action == 'reopened' %}{{ _('Call open again: "
    "%(call)s', call=in_lang(call_title_en, call_title_fr)) }}{% else %}{{ _('New deadline: "
    "%(call)s', call=in_lang(call_title_en, call_title_fr)) }}{% endif %}")
_DEADLINE_DETAILS = (
    "{% if action == 'closed_early' %}{{ _('The call \"%(call)s\" is closed, before its "
    "planned deadline of %(date)s.', call=in_lang(call_title_en, call_title_fr), date="
    "previous|from_iso|localdt(zone=zone)) }}\n{% if personal_deadline %}{{ _('Your personal "
    "deadline still holds: you can complete and submit your application %(ref)s until "
    "%(date)s.', ref=reference, date=personal_deadline|from_iso|localdt(zone=zone)) }}"
    "{% else %}{{ _('Your draft application %(ref)s can no longer be submitted. What you "
    "saved is kept.', ref=reference) }}{% endif %}{% elif action == 'reopened' %}{{ _('The "
    "call \"%(call)s\" is open again until %(date)s.', call=in_lang(call_title_en, "
    "call_title_fr), date=closes_at|from_iso|localdt(zone=zone)) }}\n{{ _('You can complete "
    "and submit your draft application %(ref)s until then.', ref=reference) }}{% else %}"
    "{{ _('The deadline of the call \"%(call)s\" is now %(date)s (it was %(previous)s).', "
    "call=in_lang(call_title_en, call_title_fr), date=closes_at|from_iso|localdt(zone=zone), "
    "previous=previous|from_iso|localdt(zone=zone)) }}\n{{ _('You can complete and submit "
    "your draft application %(ref)s until then.', ref=reference) }}{% endif %}")
_REMINDER_HEADLINE = (
    "{% if items|length > 1 %}{{ _('Reminder: %(n)d reviews are waiting for you', n=items|"
    "length) }}{% elif items[0].step == 'overdue' %}{{ _('Overdue review: %(ref)s', ref="
    "items[0].reference) }}{% elif items[0].step == 'due' %}{{ _('Your review of %(ref)s is "
    "due today', ref=items[0].reference) }}{% else %}{{ _('Reminder: your review of %(ref)s',"
    " ref=items[0].reference) }}{% endif %}")
_REMINDER_ITEMS = (
    "{% for item in items %}- {{ item.reference }} · {{ item.title }}\n  {% if item.step == "
    "'overdue' %}{{ _('Overdue since %(date)s.', date=item.due) }}{% elif item.due %}"
    "{{ _('Due on %(date)s.', date=item.due) }}{% endif %}\n  {{ item.url }}"
    "{% if not loop.last %}\n\n{% endif %}{% endfor %}")


def _kind(name, title, purpose, recipients, placeholders_, sample, **options) -> MailKind:
    return MailKind(name, title, purpose, recipients, tuple(placeholders_), sample, **options)


KINDS: dict[str, MailKind] = {kind.name: kind for kind in (
    _kind("application_submitted", _l("Application received"),
          _l("Confirms that an application was submitted, with its reference."), _APPLICANT,
          [NAME, REFERENCE, CALL,
           _when("date", "submitted_at", _l("When it was submitted"), zone=False),
           _url(_l("The link to the application's page"))],
          {**SAMPLE_APPLICANT, "submitted_at": "2027-02-01T09:30:00+00:00",
           "url": SAMPLE_URL}),
    _kind("application_withdrawn", _l("Application withdrawn"),
          _l("Confirms that the applicant withdrew their application."), _APPLICANT,
          [NAME, REFERENCE, CALL], dict(SAMPLE_APPLICANT)),
    _kind("application_ineligible", _l("Application not eligible"),
          _l("Tells the applicant, in both languages, that HR found the application not "
             "eligible, and why."), _APPLICANT,
          [NAME, REFERENCE, CALL, Placeholder("reason", _l("The reason HR gave"),
                                              "{{ reason }}")],
          {**SAMPLE_APPLICANT, "reason": "The PhD was defended less than two years ago."},
          required=("reason",), bilingual=True,
          parts=("mail/_ineligible_subject.txt", "mail/_ineligible_body.txt")),
    _kind("application_deadline_extended", _l("Personal deadline"),
          _l("Gives one applicant a personal deadline, later than the call's."), _APPLICANT,
          [NAME, REFERENCE, CALL, _when("date", "until", _l("The personal deadline")),
           _url(_l("The link to the application form"))],
          {**SAMPLE_APPLICANT, "until": "2027-03-20T17:00:00+00:00", "zone": ZONE,
           "url": SAMPLE_URL}, required=("date",)),
    _kind("application_changed", _l("Changed application received"),
          _l("Confirms that the changes to a submitted application were received, as a new "
             "version."), _APPLICANT,
          [NAME, REFERENCE, CALL,
           Placeholder("version", _l("The number of the new version"), "{{ version }}"),
           _when("date", "submitted_at", _l("When the changes were received"), zone=False),
           _url(_l("The link to the application's page"))],
          {**SAMPLE_APPLICANT, "version": 3, "submitted_at": "2027-02-03T10:15:00+00:00",
           "url": SAMPLE_URL}),
    _kind("application_deadline_withdrawn", _l("Personal deadline withdrawn"),
          _l("Tells an applicant that their personal deadline is withdrawn and which deadline "
             "applies."), _APPLICANT,
          [NAME, REFERENCE, CALL,
           _when("closes", "closes_at", _l("The deadline of the call")),
           _legacy(Placeholder(
               "deadline", _l("The deadline that applies now, or that it has passed"),
               "{% if still_open %}{{ _('The deadline of the call applies: %(date)s.', "
               "date=closes_at|from_iso|localdt(zone=zone)) }}{% else %}{{ _('The "
               "deadline of the call, %(date)s, has passed: the application can no "
               "longer be submitted. What you saved is kept.', date=closes_at|"
               "from_iso|localdt(zone=zone)) }}{% endif %}"), covers=("closes",)),
           _url(_l("The link to the application form"))],
          {**SAMPLE_APPLICANT, "zone": ZONE, "closes_at": "2027-04-01T22:00:00+00:00",
           "still_open": True, "url": SAMPLE_URL}, required=("closes",),
          conditions=(Condition("still_open", _l("The call's deadline has not passed"),
                                "still_open"),),
          cases=((_l("The call's deadline has passed"), {"still_open": False}),)),
    _kind("call_deadline_changed", _l("Call deadline changed"),
          _l("Tells applicants with a draft that the call closed early, reopened or has a "
             "new deadline."), _APPLICANT,
          [NAME, REFERENCE, CALL,
           _when("closes", "closes_at", _l("The call's deadline now")),
           _when("previous", "previous", _l("The call's deadline before the change")),
           _when("personal_deadline", "personal_deadline",
                 _l("The applicant's personal deadline, if they have one")),
           _legacy(Placeholder("headline", _l("What changed, in a few words (the default "
                                              "subject)"), _DEADLINE_HEADLINE)),
           _legacy(Placeholder("details", _l("What changed and what it means for the draft"),
                               _DEADLINE_DETAILS), covers=("call",)),
           _url(_l("The link to the application form"))],
          {**SAMPLE_APPLICANT, "action": "extended", "zone": ZONE,
           "closes_at": "2027-04-15T22:00:00+00:00", "previous": "2027-04-01T22:00:00+00:00",
           "personal_deadline": "2027-04-08T22:00:00+00:00", "url": SAMPLE_URL},
          required=("call",),
          conditions=(
              Condition("closed_early", _l("The call was closed before its deadline"),
                        "action == 'closed_early'"),
              Condition("reopened", _l("The call was opened again"),
                        "action == 'reopened'"),
              Condition("personal_deadline", _l("The applicant has a personal deadline"),
                        "personal_deadline")),
          cases=((_l("The call was closed early, the applicant has a personal deadline"),
                  {"action": "closed_early"}),
                 (_l("The call was closed early"),
                  {"action": "closed_early", "personal_deadline": None}),
                 (_l("The call was opened again"), {"action": "reopened"}))),
    _kind("verify_email", _l("Confirm the e-mail address"),
          _l("Asks a new applicant to confirm their address with a one-time link."), _ACCOUNT,
          [NAME, _url(_l("The one-time confirmation link"), secret=True)],
          {"name": "Ada Lovelace"}, required=("url",), secret_links=("url",)),
    _kind("password_reset", _l("Password reset"),
          _l("Sends a one-time link to choose a new password."), _ACCOUNT,
          [NAME, Placeholder("minutes", _l("How many minutes the link works"),
                             "{{ minutes }}"),
           _url(_l("The one-time link to choose a new password"), secret=True)],
          {"name": "Ada Lovelace", "minutes": 45}, required=("url",), secret_links=("url",)),
    _kind("invitation", _l("Invitation"),
          _l("Invites a person HR added (board member, HR) to the system."), _ACCOUNT,
          [NAME, Placeholder("inviter", _l("Who sent the invitation"), "{{ inviter }}"),
           _legacy(Placeholder(
               "step", _l("What to do with the link (choose a password, or sign in)"),
               "{% if has_password %}{{ _('Sign in with your existing password:') }}"
               "{% else %}{{ _('Choose your password with this link (valid for 14 "
               "days):') }}{% endif %}")),
           _url(_l("The link: one-time to choose a password, or the sign-in page"),
                secret=True)],
          {"name": "Grace Hopper", "inviter": "Marie Curie", "has_password": False,
           "roles": ["reviewer"]}, required=("url",), secret_links=("url",),
          conditions=(Condition("has_password", _l("The person already has a password"),
                                "has_password"),),
          cases=((_l("The person already has a password"), {"has_password": True}),)),
    _kind("registration_attempt", _l("Registration with a known address"),
          _l("Tells the owner of an address that someone tried to register with it."),
          _ACCOUNT,
          [NAME, Placeholder("login_url", _l("The link to the sign-in page"),
                             "{{ login_url }}"),
           Placeholder("reset_url", _l("The link to choose a new password"),
                       "{{ reset_url }}")],
          {"name": "Ada Lovelace", "login_url": "https://recruit.example.org/login",
           "reset_url": "https://recruit.example.org/forgot-password"},
          required=("login_url",)),
    _kind("referee_request", _l("Reference letter request"),
          _l("Asks a referee for a confidential letter, with a one-time upload link."),
          _REFEREE,
          [REFEREE_NAME, APPLICANT, CALL,
           _url(_l("The one-time link to upload the letter"), secret=True),
           _when("expires", "expires_at", _l("Until when the link works"), zone=False),
           _when("closes", "closes_at", _l("When the call closes"), zone=False)],
          {"referee": "Grace Hopper", "applicant": "Ada Lovelace", **SAMPLE_CALL,
           "expires_at": "2027-03-30T21:59:00+00:00",
           "closes_at": "2027-04-01T22:00:00+00:00"},
          required=("url",), secret_links=("url",)),
    _kind("referee_institution_request", _l("Reference letter request (referee chosen by "
                                            "the institution)"),
          _l("Asks a referee HR or the chair chose, at a later stage of a call, for a "
             "confidential letter, with a one-time upload link."),
          _l("A referee chosen by the institution"),
          [REFEREE_NAME, APPLICANT, CALL,
           _url(_l("The one-time link to upload the letter"), secret=True),
           _when("expires", "expires_at", _l("Until when the link works"), zone=False)],
          {"referee": "Grace Hopper", "applicant": "Ada Lovelace", **SAMPLE_CALL,
           "expires_at": "2027-03-30T21:59:00+00:00"},
          required=("url",), secret_links=("url",)),
    _kind("referee_reminder", _l("Reference letter reminder"),
          _l("Reminds a referee who has not answered, with a new one-time link."), _REFEREE,
          [REFEREE_NAME, APPLICANT, CALL,
           _url(_l("The new one-time link to upload the letter"), secret=True),
           _when("expires", "expires_at", _l("Until when the link works"), zone=False),
           _when("closes", "closes_at", _l("When the call closes"), zone=False)],
          {"referee": "Grace Hopper", "applicant": "Ada Lovelace", **SAMPLE_CALL,
           "expires_at": "2027-03-30T21:59:00+00:00",
           "closes_at": "2027-04-01T22:00:00+00:00"},
          required=("url",), secret_links=("url",)),
    _kind("referee_institution_reminder", _l("Reference letter reminder (referee chosen by "
                                             "the institution)"),
          _l("Reminds a referee HR or the chair chose, who has not answered, with a new "
             "one-time link."),
          _l("A referee chosen by the institution"),
          [REFEREE_NAME, APPLICANT, CALL,
           _url(_l("The new one-time link to upload the letter"), secret=True),
           _when("expires", "expires_at", _l("Until when the link works"), zone=False)],
          {"referee": "Grace Hopper", "applicant": "Ada Lovelace", **SAMPLE_CALL,
           "expires_at": "2027-03-30T21:59:00+00:00"},
          required=("url",), secret_links=("url",)),
    _kind("referee_letter_received", _l("Reference letter received"),
          _l("Tells the applicant that a referee sent their letter."), _APPLICANT,
          [NAME, REFEREE, REFERENCE, _url(_l("The link to the application"))],
          {"name": "Ada Lovelace", "referee": "Grace Hopper", "reference": "ICM-2027-0042",
           "url": SAMPLE_URL}),
    _kind("referee_declined", _l("Referee declined"),
          _l("Tells the applicant that a referee declined, so they can name another."),
          _APPLICANT,
          [NAME, REFEREE, REFERENCE, _url(_l("The link to the application")),
           _legacy(Placeholder("message", _l("The referee's message with its heading, or "
                                             "nothing"),
                               "{% if message %}{{ _('Their message:') }}\n{{ message }}"
                               "{% endif %}")),
           Placeholder("referee_message", _l("The referee's message"), "{{ message }}")],
          {"name": "Ada Lovelace", "referee": "Grace Hopper", "reference": "ICM-2027-0042",
           "url": SAMPLE_URL, "message": "I am travelling until June."},
          conditions=(Condition("has_message", _l("The referee wrote a message"),
                                "message"),),
          cases=((_l("The referee wrote no message"), {"message": ""}),)),
    _kind("board_assignments", _l("Applications to review"),
          _l("Lists the applications assigned to a board member."), _MEMBER,
          [NAME, CALL,
           Placeholder("assignments", _l("The list of applications, with their due dates"),
                       "{% for item in assignments %}- {{ item.reference }}{{ _(':') }} "
                       "{{ item.title }}{% if item.due_at %} ({{ _('review due on %(date)s', "
                       "date=item.due_at|from_iso|localdt('%d/%m/%Y')) }}){% endif %}"
                       "{% if not loop.last %}\n{% endif %}{% endfor %}"),
           _url(_l("The link to the member's assignments"))],
          {"name": "Grace Hopper", **SAMPLE_CALL, "url": "https://recruit.example.org/mine",
           "assignments": [{"reference": "ICM-2027-0042", "title": "Memory circuits",
                            "due_at": "2027-05-10T21:59:00+00:00"}]},
          required=("assignments",)),
    _kind("review_reminder", _l("Review reminder"),
          _l("Reminds a board member of reviews that are due or overdue."), _MEMBER,
          [NAME, _legacy(Placeholder("headline", _l("Which review is waiting (the default "
                                                    "subject)"), _REMINDER_HEADLINE)),
           _legacy(Placeholder("intro", _l("Who sends the reminder"),
                               "{% if manual %}{{ _('The recruitment team reminds you of a "
                               "review that is still waiting for you.') }}{% else %}{{ _('A "
                               "reminder about the reviews assigned to you:') }}{% endif %}")),
           Placeholder("count", _l("How many reviews are waiting"), "{{ items|length }}"),
           Placeholder("first_reference", _l("The reference of the first review listed"),
                       "{{ items[0].reference }}"),
           Placeholder("reviews", _l("The list of reviews, with their dates and links"),
                       _REMINDER_ITEMS),
           Placeholder("dashboard", _l("The link to the member's assignments"),
                       "{{ dashboard }}")],
          {"name": "Grace Hopper", "manual": False,
           "dashboard": "https://recruit.example.org/review/dashboard",
           "items": [{"reference": "ICM-2027-0042", "title": "Memory circuits",
                      "step": "overdue", "due": "10/05/2027",
                      "url": SAMPLE_REVIEW_URL},
                     {"reference": "ICM-2027-0051", "title": "Sleep and synapses",
                      "step": "due", "due": "11/05/2027",
                      "url": SAMPLE_REVIEW_URL.replace("7", "9")}]},
          required=("reviews",),
          conditions=(
              Condition("several", _l("More than one review is waiting"), "items|length > 1"),
              Condition("overdue", _l("The first review listed is overdue"),
                        "items[0].step == 'overdue'"),
              Condition("due_today", _l("The first review listed is due today"),
                        "items[0].step == 'due'"),
              Condition("manual", _l("HR sends the reminder by hand"), "manual")),
          cases=((_l("One overdue review, reminded by HR"),
                  {"manual": True, "items": [{"reference": "ICM-2027-0042",
                                              "title": "Memory circuits", "step": "overdue",
                                              "due": "10/05/2027",
                                              "url": SAMPLE_REVIEW_URL}]}),
                 (_l("One review due later"),
                  {"items": [{"reference": "ICM-2027-0042", "title": "Memory circuits",
                              "step": "ahead", "due": "20/05/2027",
                              "url": SAMPLE_REVIEW_URL}]}))),
    _kind("review_escalation", _l("Overdue reviews"),
          _l("Tells HR which reviews are overdue after their members were reminded."), _HR,
          [Placeholder("headline", _l("How many reviews are overdue (the default subject)"),
                       "{{ ngettext('%(num)d overdue review needs your attention', '%(num)d "
                       "overdue reviews need your attention', items|length) }}"),
           Placeholder("reviews", _l("The list of overdue reviews"),
                       "{% for item in items %}- {{ item.reference }} · {{ item.member }} · "
                       "{{ ngettext('%(num)d day late', '%(num)d days late', item.days_late) }}"
                       "{% if not loop.last %}\n{% endif %}{% endfor %}"),
           _url(_l("The link to the review progress page"))],
          {"items": [{"reference": "ICM-2027-0042", "member": "Grace Hopper",
                      "days_late": 3}], "url": "https://recruit.example.org/progress"},
          required=("reviews",)),
    _kind("review_declined", _l("Review declined"),
          _l("Tells HR that a board member declined a review, and why."), _HR,
          [MEMBER, REFERENCE, Placeholder("reason", _l("The member's reason"),
                                          "{{ reason }}"),
           _url(_l("The link to the review progress page"))],
          {"member": "Grace Hopper", "reference": "ICM-2027-0042",
           "reason": "I co-authored with the applicant.",
           "url": "https://recruit.example.org/progress"}),
    _kind("discussion_digest", _l("Board discussion digest"),
          _l("Gathers the day's new messages of the discussions a member takes part in."),
          _MEMBER,
          [NAME, Placeholder("day", _l("The day of the messages"), "{{ day }}"),
           Placeholder("threads", _l("The new messages, per application, with links"),
                       "{% for thread in threads %}{{ thread.reference }} · {{ thread.title }}"
                       "\n{% for post in thread.posts %}  {{ post.author }}{{ _(':') }} "
                       "{{ post.body }}\n{% endfor %}  {{ thread.url }}"
                       "{% if not loop.last %}\n{% endif %}{% endfor %}")],
          {"name": "Grace Hopper", "day": "2027-05-11",
           "threads": [{"reference": "ICM-2027-0042", "title": "Memory circuits",
                        "url": "https://recruit.example.org/discussion/42",
                        "posts": [{"author": "Marie Curie", "body": "Strong project."}]}]},
          required=("threads",)),
    _kind("selection_shortlist_outcome", _l("Shortlist outcome"),
          _l("Tells the applicant whether they were shortlisted for an interview. Its text "
             "is written per call and outcome, on the call's outcomes page."), _APPLICANT,
          [NAME, REFERENCE, CALL],
          {"subject": "Application ICM-2027-0042", "url": SAMPLE_URL,
           "body": "Dear Ada Lovelace,\n\nThank you for applying."}, per_call=True),
    _kind("stages_outcome", _l("Stage outcome"),
          _l("Tells the applicant whether they go on to the next stage of a call in stages. "
             "Its text is written per call and outcome, on the stage's outcomes page."),
          _APPLICANT, [NAME, REFERENCE, CALL],
          {"subject": "Application ICM-2027-0042", "url": SAMPLE_URL,
           "body": "Dear Ada Lovelace,\n\nThank you for applying."}, per_call=True),
    _kind("application_stage_received", _l("Stage part received"),
          _l("Confirms that the applicant sent their part of a later stage of the call."),
          _APPLICANT,
          [NAME, REFERENCE, Placeholder("stage", _l("The stage's name"), "{{ stage_name }}"),
           _when("date", "submitted_at", _l("When it was sent"), zone=False),
           _url(_l("The link to the application's page"))],
          {**SAMPLE_APPLICANT, "stage_name": "Full proposal",
           "submitted_at": "2027-04-01T09:30:00+00:00", "url": SAMPLE_URL}),
    _kind("selection_book_interview", _l("Choose an interview time"),
          _l("Invites a shortlisted applicant to choose their interview time."), _APPLICANT,
          [NAME, REFERENCE, CALL, _url(_l("The link to the booking page"))],
          {**SAMPLE_APPLICANT, "url": SAMPLE_URL}, required=("url",)),
    _kind("selection_visit_window_changed", _l("Visit window changed or withdrawn"),
          _l("Tells the board members who had answered for an interview visit window that HR "
             "moved it (their answer is cleared) or withdrew it."), _MEMBER,
          [NAME, CALL,
           Placeholder("headline", _l("Window moved or withdrawn (the default subject)"),
                       _WINDOW_HEADLINE),
           Placeholder("details", _l("The window's former and new times, with the link"),
                       _WINDOW_DETAILS)],
          {**SAMPLE_CALL, "name": "Ada Lovelace", "kind": "changed",
           "was_starts_at": "2027-06-03T07:00:00+00:00",
           "was_ends_at": "2027-06-03T15:00:00+00:00",
           "starts_at": "2027-06-04T07:00:00+00:00", "ends_at": "2027-06-04T15:00:00+00:00",
           "zone": ZONE, "url": SAMPLE_URL}, required=("details",)),
    _kind("selection_interview", _l("Interview"),
          _l("Sends the interview's details and calendar file, its changes or its "
             "cancellation, to the applicant and the panel."), _l("The applicant and the panel"),
          [NAME, REFERENCE, CALL, _when("time", "starts_at", _l("When the interview is")),
           _length(), LOCATION, VIDEO,
           Placeholder("programme", _l("The parts of the visit, with their times and places"),
                       _PROGRAMME),
           _url(_l("The link to the interview (the booking page if it is cancelled)")),
           _legacy(Placeholder("headline", _l("Interview, changed or cancelled (the default "
                                              "subject)"), _INTERVIEW_HEADLINE)),
           _legacy(Placeholder("details", _l("When and where, or what was cancelled, with the "
                                             "link"), _INTERVIEW_DETAILS), covers=("time",))],
          {**SAMPLE_APPLICANT, "kind": "new", "role": "applicant",
           "starts_at": "2027-06-03T08:00:00+00:00", "duration": 45, "location": "Room 3.14",
           "video_url": "https://visio.example.org/icm-42", "zone": ZONE, "url": SAMPLE_URL,
           "parts": [{"label": "Seminar", "starts_at": "2027-06-03T07:00:00+00:00",
                      "ends_at": "2027-06-03T07:45:00+00:00", "place": "Auditorium",
                      "details": ""}]},
          required=("time",),
          conditions=(
              Condition("cancelled", _l("The interview is cancelled"), "kind == 'cancel'"),
              Condition("changed", _l("The interview has changed"), "kind == 'update'"),
              Condition("applicant", _l("The mail goes to the applicant (not the panel)"),
                        "role == 'applicant'"),
              HAS_LOCATION, HAS_VIDEO,
              Condition("programme", _l("The visit has a programme of several parts"),
                        "parts")),
          cases=((_l("To a panel member"), {"role": "panel"}),
                 (_l("Changed, to the applicant, without a video link"),
                  {"kind": "update", "video_url": "", "parts": []}),
                 (_l("Cancelled, to the applicant"), {"kind": "cancel"}),
                 (_l("Cancelled, to a panel member"), {"kind": "cancel", "role": "panel"}))),
    _kind("selection_interview_reminder", _l("Interview reminder"),
          _l("Reminds the applicant and the panel of an interview the day before."),
          _l("The applicant and the panel"),
          [NAME, REFERENCE, CALL, _when("time", "starts_at", _l("When the interview is")),
           _length(), LOCATION, VIDEO,
           _legacy(Placeholder("when", _l("The time and duration of the interview"),
                               _WHEN_LINE), covers=("time",)),
           _legacy(Placeholder("place", _l("The room and the video link"), _PLACE_LINES))],
          {**SAMPLE_APPLICANT, "starts_at": "2027-06-03T08:00:00+00:00", "duration": 45,
           "location": "Room 3.14", "video_url": "https://visio.example.org/icm-42",
           "zone": ZONE}, required=("time",), conditions=(HAS_LOCATION, HAS_VIDEO),
          cases=((_l("Without a video link"), {"video_url": ""}),)),
    _kind("selection_panel_seat_withdrawn", _l("Panel member withdrawn"),
          _l("Tells HR that a conflict took a member off an interview panel."), _HR,
          [NAME, MEMBER, REFERENCE, _when("when", "starts_at", _l("When the interview is")),
           _legacy(Placeholder(
               "suggestions", _l("Who could take the seat"),
               "{% if suggestions %}{{ _('Board members free at that time, without a "
               "conflict: %(names)s.', names=suggestions|join(', ')) }}{% else %}"
               "{{ _('No other board member is free at that time without a "
               "conflict.') }}{% endif %}")),
           Placeholder("free_members", _l("The board members free at that time, without a "
                                          "conflict"), "{{ suggestions|join(', ') }}"),
           _url(_l("The link to the interviews page"))],
          {**SAMPLE_APPLICANT, "name": "Marie Curie", "member": "Grace Hopper",
           "starts_at": "2027-06-03T08:00:00+00:00", "zone": ZONE,
           "suggestions": ["Rosalind Franklin", "Chien-Shiung Wu"],
           "url": "https://recruit.example.org/interviews"},
          conditions=(Condition("has_free_members", _l("Some board member is free at that "
                                                       "time, without a conflict"),
                                "suggestions"),),
          cases=((_l("Nobody is free at that time"), {"suggestions": []}),)),
    _kind("meeting_invitation", _l("Board meeting invitation"),
          _l("Invites a board member to the board meeting of a call, with its calendar "
             "file."), _MEMBER,
          [NAME, CALL,
           Placeholder("time", _l("When the meeting is"), "{{ starts_at|from_iso|localdt }}"),
           _length(), LOCATION, VIDEO,
           _legacy(Placeholder("when", _l("The time and duration of the meeting"),
                               "{{ ngettext('When: %(when)s (%(num)d minute)', 'When: "
                               "%(when)s (%(num)d minutes)', duration, when=starts_at|"
                               "from_iso|localdt) }}"), covers=("time",)),
           _legacy(Placeholder("place", _l("The place and the video link"),
                               "{% if location %}{{ _('Place: %(place)s', place=location) }}"
                               "\n{% endif %}{% if video_url %}{{ _('Video link: %(url)s', "
                               "url=video_url) }}{% endif %}")),
           _url(_l("The link to the meeting's page"))],
          {"name": "Grace Hopper", **SAMPLE_CALL, "starts_at": "2027-06-10T07:30:00+00:00",
           "duration": 180, "location": "Board room",
           "video_url": "https://visio.example.org/board",
           "url": "https://recruit.example.org/meetings/1"}, required=("time",),
          conditions=(HAS_LOCATION, HAS_VIDEO),
          cases=((_l("Without a video link"), {"video_url": ""}),)),
    _kind("meeting_evaluation_report", _l("Evaluation report"),
          _l("Sends the applicant the board's evaluation of their application."), _APPLICANT,
          [NAME, REFERENCE, CALL,
           Placeholder("report", _l("The evaluation report written for this applicant"),
                       "{{ body }}"),
           _url(_l("The link to the report on the application page"))],
          {**SAMPLE_APPLICANT, "body": "The board praised the clarity of the project.",
           "url": SAMPLE_URL}, required=("report",)),
    _kind("selection_decision_letter", _l("Decision letter"),
          _l("Tells an interviewed applicant the decision: offer, waiting list or refusal. Its "
             "text is written per call and outcome, on the call's decisions page."),
          _APPLICANT,
          [NAME, REFERENCE, CALL,
           Placeholder("feedback", _l("The feedback written for this applicant"),
                       "{{ feedback }}")],
          {"subject": "Your application ICM-2027-0042: offer", "offer": True,
           "body": "Dear Ada Lovelace,\n\nWe are delighted to offer you a position.",
           "url": SAMPLE_URL}, per_call=True),
    _kind("selection_offer_answered", _l("Offer answered"),
          _l("Tells HR that an applicant accepted or declined the offer."), _HR,
          [_legacy(Placeholder("headline", _l("Accepted or declined, with the reference (the "
                                              "default subject)"),
                               "{% if accepted %}{{ _('Offer accepted: %(ref)s', ref=reference)"
                               " }}{% else %}{{ _('Offer declined: %(ref)s', ref=reference) }}"
                               "{% endif %}")),
           _legacy(Placeholder("answer", _l("Who answered what, for which call"),
                               "{% if accepted %}{{ _('%(name)s accepted the offer for the call "
                               "\"%(call)s\" (%(ref)s).', name=name, ref=reference, call="
                               "in_lang(call_title_en, call_title_fr)) }}{% else %}{{ _('"
                               "%(name)s declined the offer for the call \"%(call)s\" "
                               "(%(ref)s).', name=name, ref=reference, call=in_lang("
                               "call_title_en, call_title_fr)) }}{% endif %}"),
                   covers=("reference",)),
           Placeholder("name", _l("The applicant's name"), "{{ name }}"), REFERENCE, CALL,
           _url(_l("The link to the call's decisions"))],
          {**SAMPLE_APPLICANT, "accepted": True,
           "url": "https://recruit.example.org/decisions"}, required=("reference",),
          conditions=(Condition("accepted", _l("The applicant accepted the offer"),
                                "accepted"),),
          cases=((_l("The applicant declined the offer"), {"accepted": False}),)),
)}

# Names the snippets may use that are not the mail's context.
JINJA_HELPERS = frozenset({"_", "gettext", "ngettext", "in_lang", "render_in", "loop"})


def kind_of(name: str) -> MailKind | None:
    return KINDS.get(name)


def sample_context(kind: MailKind, locale: str = "en") -> dict:
    """The kind's sample values, one-time links as their marks (never a real link)."""
    languages = ({"locale": locale, "other_locale": "en" if locale == "fr" else "fr"}
                 if kind.bilingual else {})
    return {**kind.sample, **languages,
            **{name: link_mark(name) for name in kind.secret_links}}


_compiled: dict[tuple[int, str], object] = {}


def _snippet(source: str):
    env = current_app.jinja_env
    template = _compiled.get((id(env), source))
    if template is None:
        template = _compiled[(id(env), source)] = env.from_string(source)
    return template


def values(kind: MailKind, context: dict) -> dict[str, str]:
    """Each placeholder's value for this mail (call inside the recipient's locale)."""
    return {p.name: _snippet(p.source).render(**context).strip() for p in kind.placeholders}


def flags(kind: MailKind, context: dict) -> dict[str, bool]:
    """Each condition's yes or no for this mail."""
    return {c.name: _snippet("{% if " + c.source + " %}1{% endif %}").render(**context) == "1"
            for c in kind.conditions}


def case_contexts(kind: MailKind, locale: str = "en") -> list[tuple[object | None, dict]]:
    """The sample mail and the kind's other cases: (label or None, context)."""
    sample = sample_context(kind, locale)
    return [(None, sample), *((label, {**sample, **changes}) for label, changes in kind.cases)]


def _tree(kind: MailKind, text: str) -> tuple:
    return placeholders.parse(text, kind.names, kind.condition_names)


def _missing(kind: MailKind, found: set[str]) -> list[str]:
    covered = found | {name for p in kind.placeholders if p.name in found for name in p.covers}
    return [n for n in kind.required if n not in covered]


def check(kind: MailKind, subject: str, body: str) -> dict[str, str]:
    """Problems of HR's text, by field ("subject", "body"): {} when it can be saved."""
    problems, trees = {}, {}
    for name, text in (("subject", subject), ("body", body)):
        try:
            trees[name] = _tree(kind, text)
        except placeholders.PlaceholderError as error:
            problems[name] = error.message
    links = sorted(p.name for p in kind.placeholders if p.link)
    if "subject" not in problems:
        in_subject = [n for n in links if n in placeholders.used_anywhere(trees["subject"])]
        if in_subject:
            problems["subject"] = placeholders.PlaceholderError(
                code="link_in_subject", names=["{" + n + "}" for n in in_subject]).message
    if "body" not in problems:
        body_tree = trees["body"]
        if _missing(kind, placeholders.used_anywhere(body_tree)):
            missing = _missing(kind, placeholders.used_anywhere(body_tree))
            problems["body"] = placeholders.PlaceholderError(
                code="missing", names=["{" + n + "}" for n in missing]).message
        elif missing := _missing(kind, placeholders.used_everywhere(body_tree)):
            problems["body"] = placeholders.PlaceholderError(
                code="missing_somewhere", names=["{" + n + "}" for n in missing]).message
    return problems
