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


@pytest.mark.parametrize("kind", EDITABLE, ids=lambda k: k.name)
@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_default_text_in_placeholders_gives_back_the_default_mail(app, kind, locale):
    """HR starts from the default written with placeholders; filled with the sample values
    it is the default mail, and it uses only declared placeholders."""
    with app.test_request_context():
        subject, body = mailrender.default_text(kind, locale)
        placeholders.check([subject, body], kind.names)
        assert mailkinds.check(kind, subject, body) == {}
        context = mailkinds.sample_context(kind, locale)
        with force_locale(locale), recipient_zone(mailkinds.ZONE):
            values = mailkinds.values(kind, context)
        expected_subject, expected_body = mailrender._default_parts(kind, locale, context)
        assert placeholders.fill(subject, values) == expected_subject
        assert placeholders.fill(body, values) == mailrender.tidy(expected_body)
        assert placeholders.used(subject + body) <= set(kind.names)


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
