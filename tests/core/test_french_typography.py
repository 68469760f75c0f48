"""French text follows French typography: a no-break space before : ; ? ! and inside
« », the typographic apostrophe, one word for e-mail and one name for the institute.

Checked on every msgstr of every French catalog, and on the visible text of a few pages
rendered in French."""

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "src/icm_recruit/translations/fr/LC_MESSAGES"

NBSP, NNBSP = "\u00a0", "\u202f"
# What must stand right before each sign (":" takes the full-width no-break space).
SPACE_BEFORE = {":": NBSP, ";": NBSP + NNBSP, "?": NBSP + NNBSP, "!": NBSP + NNBSP,
                "»": NBSP + NNBSP}
SPACE_AFTER = {"«": NBSP + NNBSP}

# Parts of a string that are not French prose: replaced by a neutral letter before checking.
_NOT_PROSE = re.compile("|".join([
    r"(?<=«[\u00a0\u202f])[^\s«»]*:[^\s«»]*(?=[\u00a0\u202f]»)",  # a quoted operator: « tag: »
    r"(?:https?|ftp)://[^\s«»]+",            # URLs
    r"mailto:[^\s«»]+",
    r"%\([a-zA-Z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]",  # %(name)s
    r"%[-#0 +]*\d*(?:\.\d+)?[sdifrxHMSYmdaAbBpIjyz%]",  # %s, %d, %%, strftime codes
    r"\{[^{}\s]*\}",                         # {name}, {0:.1f}
    r"`[^`]*`",                              # code
    r"\[\[[^\]]*\]\]",                       # one-time-link marks
    r"\d+:\d+",                              # times and ratios: 14:32, 16:9
    r"(?<=\w):(?=[\w\"“*])",                 # search syntax glued to a word: country:FR
]))
_TAG = re.compile(r"<[^>]*>")
_SIGNS = re.compile(r"[:;?!»«]")
_MAIL_WORD = re.compile(r"(?i)\b(?:courriels?|e-?mails?|mails?|m[eé]ls?)\b")
_INSTITUTE = [
    (re.compile(r"Paris Brain Institute"), "« Paris Brain Institute » in French"),
    (re.compile(r"\bICM\b(?!-)"), "« ICM » for the institute"),
    (re.compile(r"(?i)\binstitut\b(?! du Cerveau\b)"), "the institute not named"),
    (re.compile(r"(?i)\binstitut du cerveau et de la moelle"), "the former name"),
]
_INSTITUTE_NAME = re.compile(r"(?i)\binstitut du cerveau\b")


def prose(text: str) -> str:
    """Return `text` with markup, placeholders, URLs and times neutralised."""
    text = html.unescape(_TAG.sub("", text))
    return _NOT_PROSE.sub("x", text)


def spacing_errors(text: str) -> list[str]:
    """Return each sign of `text` that lacks its no-break space, with some context."""
    text = prose(text)
    errors = []
    for match in _SIGNS.finditer(text):
        sign, at = match.group(), match.start()
        if sign in SPACE_AFTER:
            ok = at + 1 < len(text) and text[at + 1] in SPACE_AFTER[sign]
        else:
            before = text[at - 1] if at else ""
            ok = before in SPACE_BEFORE[sign] or (sign in "?!" and before in "?!")
        if not ok:
            errors.append(text[max(0, at - 20):at + 5])
    return errors


def wording_errors(text: str) -> list[str]:
    """Return the apostrophe, e-mail and institute-name slips of a French string."""
    text = prose(text)
    errors = []
    if "'" in text:
        errors.append("straight apostrophe (use ’)")
    errors += [f"« {word} » (use « e-mail »)" for word in _MAIL_WORD.findall(text)
               if word.lower() not in ("e-mail", "e-mails")]
    errors += [why for pattern, why in _INSTITUTE if pattern.search(text)]
    errors += [f"« {name} » (write « Institut du Cerveau »)"
               for name in _INSTITUTE_NAME.findall(text) if name != "Institut du Cerveau"]
    return errors


def french_strings():
    """Yield (catalog, msgid, translation) for every French translation, plural forms too."""
    for po_file in sorted(CATALOGS.glob("*.po")):
        with po_file.open("rb") as f:
            catalog = read_po(f, locale="fr")
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                if string:
                    yield po_file.name, message.id, string


def test_the_rules_catch_what_they_should():
    assert spacing_errors("Date limite : %(date)s") != []
    assert spacing_errors("Date limite\u00a0: %(date)s, à 14:32 sur https://x.org/a?b=c") == []
    assert spacing_errors("Mot de passe oublié ?") != []
    assert spacing_errors("Mot de passe oublié\u202f?") == []
    assert spacing_errors("l’appel «\u00a0%(call)s\u00a0»") == []
    assert spacing_errors("l’appel « %(call)s »") != []
    assert spacing_errors("Vraiment\u202f?!") == []
    assert wording_errors("l'appel") and wording_errors("un courriel")
    assert wording_errors("le système de l’ICM") and not wording_errors("ICM-2027-0001")
    assert not wording_errors("l’Institut du Cerveau envoie un e-mail à %(email)s")
    assert spacing_errors("par exemple country:FR, ou «\u00a0%(field)s:\u00a0»") == []


def test_french_catalogs_follow_french_typography():
    problems, checked = [], 0
    for name, msgid, string in french_strings():
        checked += 1
        problems += [f"{name}: {msgid[:50]!r}: {error!r}"
                     for error in spacing_errors(string) + wording_errors(string)]
    print(f"French typography: {checked} catalog strings checked, {len(problems)} problems")
    assert checked > 500
    assert problems == [], "\n".join(problems[:40])


def test_french_catalogs_share_one_plural_rule():
    # The merged catalogs use the plural rule of the last one loaded: they must agree.
    rules = {}
    for po_file in sorted(CATALOGS.glob("*.po")):
        with po_file.open("rb") as f:
            rules.setdefault(read_po(f, locale="fr").plural_expr, []).append(po_file.name)
    assert len(rules) == 1, rules


def test_french_reasons_written_in_code_follow_french_typography():
    from icm_recruit.assignment import solver
    from icm_recruit.board import conflict_reasons

    strings = [*solver._MESSAGES["fr"].values(), *conflict_reasons._MESSAGES["fr"].values()]
    problems = [f"{string[:50]!r}: {error!r}" for string in strings
                for error in spacing_errors(string) + wording_errors(string)]
    print(f"French typography: {len(strings)} reasons written in code checked")
    assert problems == [], "\n".join(problems)


# ---------------------------------------------------------------- rendered pages

_HIDDEN = re.compile(r"(?is)<(script|style|template)\b.*?</\1>|<!--.*?-->")
_SHOWN_ATTRIBUTE = re.compile(r'(?i)\b(?:placeholder|title)="([^"]*)"')


def visible_text(page: str) -> str:
    """Return the text a reader sees: tags and scripts removed, placeholders kept."""
    page = _HIDDEN.sub(" ", page)
    attributes = " ".join(_SHOWN_ATTRIBUTE.findall(page))
    return html.unescape(_TAG.sub(" ", page) + " " + attributes)


def raw_states(text: str) -> list[str]:
    """Return the words of `text` that are a state's stored value rather than its label."""
    from icm_recruit.core.states import StateEnum

    french = " ".join(string for _, _, string in french_strings()).lower()
    values = {member.value for state in StateEnum.__subclasses__() for member in state
              if not re.search(rf"\b{re.escape(member.value)}\b", french)}
    return [word for word in re.findall(r"[^\s()«»:;,.]+", text) if word in values]


@pytest.fixture
def french_world(app):
    from icm_recruit.auth.models import Role
    from icm_recruit.core.outbox import OutboxMessage, OutboxStatus
    from icm_recruit.extensions import db
    from tests.applications.factories import make_application, make_call
    from tests.board.factories import make_member, quick_user

    with app.app_context():
        call = make_call()
        call.criteria[0].weight = 2.5
        applicant = quick_user("applicant-fr@example.org", Role.APPLICANT, name="Ana Lima")
        application = make_application(call, applicant, complete=True)
        hr = quick_user("hr-fr@example.org", Role.ADMIN, name="Claire RH")
        member = make_member("member-fr@example.org", "Marc Conseil", keywords="memory")
        for user in (applicant, hr, member.user):
            user.locale = "fr"
        message = OutboxMessage(recipient=applicant.email, template="t", idempotency_key="fr:1",
                                subject="Candidature", body_text="Bonjour",
                                status=OutboxStatus.SENT)
        db.session.add(message)
        db.session.commit()
        return {"call_id": call.id, "slug": call.slug, "application_id": application.id,
                "applicant": applicant.id, "hr": hr.id, "member": member.user_id,
                "message_id": message.id}


def _pages(world):
    call, slug = world["call_id"], world["slug"]
    return {
        None: ["/login", "/register", "/password/forgot", "/calls", f"/calls/{slug}"],
        "applicant": ["/", "/applications", f"/applications/{world['application_id']}",
                      f"/applications/{world['application_id']}/status", "/account"],
        "hr": ["/", "/admin/audit", "/admin/calls", f"/admin/calls/{call}", "/admin/board",
               "/admin/users",
               f"/admin/calls/{call}/conflicts", f"/admin/calls/{call}/applications",
               f"/admin/applications/{world['application_id']}", "/admin/mailbox",
               f"/admin/mailbox/{world['message_id']}", f"/admin/calls/{call}/assignment",
               "/account"],
        "member": ["/", "/board", "/board/profile", "/review/", "/board/assignments",
                   f"/board/calls/{call}"],
    }


def test_french_pages_follow_french_typography(app, client, french_world):
    from icm_recruit.auth.models import User
    from icm_recruit.extensions import db
    from tests.board.factories import sign_in

    problems, checked = [], 0
    for who, urls in _pages(french_world).items():
        if who is not None:
            with app.app_context():
                sign_in(client, db.session.get(User, french_world[who]))
        for url in urls:
            response = client.get(url, headers={"Accept-Language": "fr"})
            assert response.status_code == 200, url
            page = response.get_data(as_text=True)
            assert 'lang="fr"' in page, url
            checked += 1
            text = visible_text(page)
            problems += [f"{url}: {error!r}" for error in spacing_errors(text)]
            problems += [f"{url}: decimal point in {number!r}"
                         for number in re.findall(r"\d+\.\d+", text)]
            problems += [f"{url}: raw state {word!r}" for word in raw_states(text)]
    print(f"French typography: {checked} pages checked, {len(problems)} problems")
    assert problems == [], "\n".join(problems[:40])
    with app.app_context():
        sign_in(client, db.session.get(User, french_world["hr"]))
    call_page = client.get(f"/admin/calls/{french_world['call_id']}").get_data(as_text=True)
    assert "<td>2,5</td>" in call_page  # the criterion's weight, with a decimal comma
