"""The translation lookups (`core.i18n`) give what Flask-Babel's give: the request's
language, a forced one inside `force_locale`, every feature's catalog, and the string
itself outside an application."""

import pytest
from flask import render_template_string
from flask_babel import force_locale, refresh
from flask_babel import gettext as babel_gettext

from icm_recruit.core.i18n import gettext, lazy_gettext, ngettext

pytestmark = pytest.mark.services

# One string of the main catalog, one of a feature's own (account.po).
MAIN = ("Audit trail", "Journal d’audit")
FEATURE = ("To sign in, open:", "Pour vous connecter, ouvrez\u00a0:")
PLURAL = ("%(num)d reference letter, sent directly by your referee",
          "%(num)d reference letters, sent directly by your referees")


def test_outside_an_application_the_string_is_its_own_translation():
    assert gettext(MAIN[0]) == MAIN[0]
    assert gettext("%(name)s wrote", name="Ann") == "Ann wrote"
    assert ngettext(*PLURAL, 2) == "2 reference letters, sent directly by your referees"


def test_a_french_request_reads_french_from_every_catalog(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert gettext(MAIN[0]) == MAIN[1] == babel_gettext(MAIN[0])
        assert gettext(FEATURE[0]) == FEATURE[1]
        assert ngettext(*PLURAL, 1) == ("1 lettre de recommandation, envoyée directement par "
                                        "votre référent")
        assert ngettext(*PLURAL, 3).startswith("3 lettres de recommandation")
        assert str(lazy_gettext(MAIN[0])) == MAIN[1]
        assert render_template_string("{{ _('Audit trail') }}") == MAIN[1]
        assert render_template_string(
            "{{ ngettext('%(num)d page', '%(num)d pages', 4) }}") == "4 pages"


def test_force_locale_switches_and_restores_the_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert gettext(MAIN[0]) == MAIN[1]
        with force_locale("en"):
            assert gettext(MAIN[0]) == MAIN[0]
            assert render_template_string("{{ _('Audit trail') }}") == MAIN[0]
        assert gettext(MAIN[0]) == MAIN[1]


def test_force_locale_in_an_english_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext(MAIN[0]) == MAIN[0]
        with force_locale("fr"):
            assert gettext(FEATURE[0]) == FEATURE[1]
        assert gettext(FEATURE[0]) == FEATURE[0]


def test_a_lazy_string_follows_the_language_where_it_is_read(app):
    label = lazy_gettext(MAIN[0])
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert str(label) == MAIN[0]
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        refresh()  # the tests' two requests share one application context
        assert str(label) == MAIN[1]
