import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/icm_recruit/translations/fr/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def _extract(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_french_catalog_translates_every_string_in_the_code(tmp_path):
    with PO.open("rb") as f:
        catalog = read_po(f, locale="fr")
    translated = {m.id for m in catalog if m.id and m.string and all(m.string)}
    missing = sorted(str(m) for m in _extract(tmp_path) - translated)
    assert missing == [], f"untranslated: {missing[:10]}"


def test_compiled_catalog_matches_the_po_file():
    with PO.open("rb") as f:
        po = {m.id: m.string for m in read_po(f, locale="fr") if m.id}
    with MO.open("rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert po == mo, "run: pybabel compile -d src/icm_recruit/translations"


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
