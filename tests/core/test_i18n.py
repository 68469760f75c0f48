import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "src/icm_recruit/translations/fr/LC_MESSAGES"


def _extract(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _po_files():
    files = sorted(CATALOGS.glob("*.po"))
    assert any(f.name == "messages.po" for f in files)
    return files


def test_french_catalogs_translate_every_string_in_the_code(tmp_path):
    translated = set()
    for po_file in _po_files():
        with po_file.open("rb") as f:
            translated |= {m.id for m in read_po(f, locale="fr")
                           if m.id and m.string and all(m.string) and not m.fuzzy}
    missing = sorted(str(m) for m in _extract(tmp_path) - translated)
    assert missing == [], f"untranslated: {missing[:10]}"


def test_compiled_catalogs_match_the_po_files():
    for po_file in _po_files():
        with po_file.open("rb") as f:
            po = {m.id: m.string for m in read_po(f, locale="fr") if m.id and not m.fuzzy}
        with po_file.with_suffix(".mo").open("rb") as f:
            # Plural entries come back from the .mo with lists for their forms.
            mo = {_hashable(m.id): _hashable(m.string) for m in read_mo(f) if m.id}
        assert po == mo, f"recompile {po_file.name}: make translations"


def test_every_catalog_domain_is_loaded(app):
    from flask_babel import force_locale, gettext

    from icm_recruit import translation_domains

    assert app.config["BABEL_DOMAIN"].split(";") == translation_domains()
    with app.test_request_context(), force_locale("fr"):
        assert gettext("Sign in") == "Se connecter"


def test_pages_switch_language(client, app):
    from tests.support import csrf_from

    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page
    client.post("/language", data={"locale": "fr", "next": "/login",
                                   "csrf_token": csrf_from(page)})
    french = client.get("/login").get_data(as_text=True)
    assert "Se connecter" in french and 'lang="fr"' in french


def test_browser_language_is_used_before_a_choice(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Mot de passe oublié" in page.get_data(as_text=True)


def test_a_string_in_a_context_has_its_own_french(app):
    from flask_babel import force_locale

    from icm_recruit.core.i18n import gettext, pgettext

    with app.test_request_context(), force_locale("fr"):
        # A status names one application; the funnel counts applications.
        assert gettext("Submitted") == "Déposée"
        assert pgettext("funnel", "Submitted") == "Déposées"
        assert pgettext("funnel", "Interviewed") == "Reçues en entretien"
