"""The registry of mail kinds describes every mail the system sends, and its defaults."""

from pathlib import Path

import pytest
from flask_babel import force_locale
from jinja2 import meta

from icm_recruit.core import mailkinds, mailrender, placeholders
from icm_recruit.core.timeutil import recipient_zone

MAIL = Path(__file__).resolve().parents[2] / "templates" / "mail"
SENT = sorted(p.stem for p in MAIL.glob("*.txt") if not p.name.startswith("_"))
EDITABLE = [k for k in mailkinds.KINDS.values() if not k.per_call]


def _variables(source: str, env) -> set[str]:
    return meta.find_undeclared_variables(env.parse(source)) - mailkinds.JINJA_HELPERS


def test_every_mail_in_the_templates_is_described_and_nothing_else():
    assert sorted(mailkinds.KINDS) == SENT


@pytest.mark.parametrize("kind", mailkinds.KINDS.values(), ids=lambda k: k.name)
def test_a_kind_says_what_it_is_for_in_both_languages(app, kind):
    with app.test_request_context():
        for locale in ("en", "fr"):
            with force_locale(locale):
                assert str(kind.title) and str(kind.purpose) and str(kind.recipients)
                assert all(str(p.description) for p in kind.placeholders)
        assert set(kind.required) <= set(kind.names)
        assert set(kind.secret_links) <= {p.name for p in kind.placeholders if p.link}


@pytest.mark.parametrize("kind", mailkinds.KINDS.values(), ids=lambda k: k.name)
def test_every_value_a_default_uses_is_declared_by_a_placeholder(app, kind):
    """What the default files read from the mail is read by the kind's placeholders too,
    so an HR text can say everything the default says."""
    env = app.jinja_env
    sources = [kind.parts] if kind.parts else [(f"mail/{kind.name}.txt",)]
    used = set()
    for name in sources[0]:
        used |= _variables(env.loader.get_source(env, name)[0], env)
    declared = set()
    for placeholder in kind.placeholders:
        declared |= _variables(placeholder.source, env)
    frame = {"subject", "body", "url", "offer", "locale", "other_locale", "roles"}
    missing = used - declared - (frame if kind.per_call or kind.parts else {"roles"})
    assert missing == set(), f"{kind.name}: the default uses {sorted(missing)}"
    assert set(mailkinds.sample_context(kind)) >= used


def _jinja_default(kind, locale: str, context: dict) -> tuple[str, str]:
    """The default mail as the default files render it for this context."""
    if kind.parts is None:
        subject, body, _html = mailrender.render_default(kind.name, locale, context,
                                                         mailkinds.ZONE)
        return subject, body
    return mailrender._default_parts(kind, locale, context)


@pytest.mark.parametrize("kind", EDITABLE, ids=lambda k: k.name)
@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_default_text_in_placeholders_gives_back_the_default_mail(app, kind, locale):
    """HR starts from the default written with placeholders and {if …} parts; filled with
    the values of the sample and of each other case, it is the default mail of that case,
    and it uses only declared placeholders and conditions."""
    with app.test_request_context():
        subject, body = mailrender.default_text(kind, locale)
        assert mailkinds.check(kind, subject, body) == {}
        offered = {p.name for p in kind.offered}
        assert placeholders.used_anywhere(placeholders.parse(
            subject + body, kind.names, kind.condition_names)) <= offered
        for label, context in mailkinds.case_contexts(kind, locale):
            with force_locale(locale), recipient_zone(mailkinds.ZONE):
                values, flags = mailkinds.values(kind, context), mailkinds.flags(kind, context)
            expected_subject, expected_body = _jinja_default(kind, locale, context)
            assert placeholders.fill_choosing(subject, values, flags) == expected_subject, label
            assert mailrender.tidy(placeholders.fill_choosing(body, values, flags)) == \
                mailrender.tidy(expected_body), label


@pytest.mark.parametrize("kind", [k for k in EDITABLE if k.conditions], ids=lambda k: k.name)
def test_every_branch_of_a_default_can_be_written_by_hr(app, kind):
    """Each condition of a kind is a tag of its default text: no sentence chosen by the
    mail is left inside a placeholder."""
    with app.test_request_context():
        subject, body = mailrender.default_text(kind, "en")
    for condition in kind.conditions:
        assert f" {condition.name}}}" in subject + body, condition.name
    assert not {p.name for p in kind.placeholders if p.legacy} & placeholders.used(
        placeholders.choose(placeholders.parse(subject + body, kind.names,
                                               kind.condition_names), {}))


def test_conditional_parts_are_checked_like_placeholders(app):
    kind = mailkinds.KINDS["selection_interview"]
    with app.test_request_context():
        unknown = mailkinds.check(kind, "{if maybe}Hi{end}", "{time}")
        unclosed = mailkinds.check(kind, "Interview", "{if cancelled}Cancelled {time}")
        stray = mailkinds.check(kind, "Interview", "{time}{else}")
        one_branch = mailkinds.check(kind, "Interview", "{if cancelled}Cancelled {time}{end}")
        fine = mailkinds.check(kind, "{if cancelled}Cancelled{else}Interview{end}",
                               "{if cancelled}Off: {time}{else}On {time}{end} {{if}}")
    assert "{if maybe}" in unknown["subject"] and "{if cancelled}" in unknown["subject"]
    assert "{if cancelled}" in unclosed["body"] and "{else}" in stray["body"]
    assert "{time}" in one_branch["body"] and "each of its versions" in one_branch["body"]
    assert fine == {}


def test_an_hr_text_with_conditional_parts_fills_the_branch_of_each_mail(app):
    kind = mailkinds.KINDS["selection_interview"]
    text = ("{if cancelled}Off: {reference}{else}On: {reference}{end}",
            "{if applicant}Dear {name}{else}Dear panel{end}, {time}"
            "{if location} in {location}{end}{if not video} (no video){end}.")
    with app.test_request_context():
        for changes, expected in (
                ({}, ("On: ICM-2027-0042", "Dear Ada Lovelace, 03/06/2027 10:00 CEST in "
                                           "Room 3.14.")),
                ({"kind": "cancel", "role": "panel", "location": "", "video_url": ""},
                 ("Off: ICM-2027-0042", "Dear panel, 03/06/2027 10:00 CEST (no video)."))):
            context = {**mailkinds.sample_context(kind), **changes}
            subject, body, html = mailrender.render_text(kind, text, "en", context,
                                                         mailkinds.ZONE)
            assert (subject, body.strip()) == expected
            assert "{" not in html


def test_a_template_error_names_the_unknown_placeholder(app):
    kind = mailkinds.KINDS["password_reset"]
    with app.test_request_context():
        problems = mailkinds.check(kind, "Reset {url}", "Hello {nom}, {name.__class__}")
    assert "{nom}" in problems["body"] and "{name.__class__}" in problems["body"]
    assert "{url}" in problems["subject"]  # a one-time link never goes in the subject


def test_a_mail_whose_purpose_is_the_link_cannot_lose_it(app):
    with app.test_request_context():
        for kind in mailkinds.KINDS.values():
            for name in kind.secret_links:
                problems = mailkinds.check(kind, "Hello", "Hello {name}.")
                assert "{" + name + "}" in problems["body"], kind.name


def test_html_of_a_text_is_escaped_and_linked(app):
    with app.test_request_context():
        html = mailrender.html_from_text(
            "Dear <b>Ada</b> & co,\nwelcome.\n\nSee https://example.org/x?a=1&b=2.\n\n"
            "[[one-time-link:url]]", "en")
    assert "&lt;b&gt;Ada&lt;/b&gt; &amp; co,<br>welcome." in html
    assert '<a href="https://example.org/x?a=1&amp;b=2">https://example.org/x?a=1&amp;b=2</a>.' \
        in html
    assert '<a href="[[one-time-link:url]]">' in html and "<b>" not in html


def test_jinja_syntax_in_an_hr_text_stays_text(app):
    kind = mailkinds.KINDS["application_withdrawn"]
    with app.test_request_context():
        subject, body, html = mailrender.render_text(
            kind, ("{reference}", "{{{{ config }}}} {name}"), "en",
            mailkinds.sample_context(kind))
    assert body.strip() == "{{ config }} Ada Lovelace" and "SECRET" not in html
