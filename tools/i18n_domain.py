"""Keep a feature's French catalog: python tools/i18n_domain.py DOMAIN FR.json PATH...

Extracts the strings of PATHs, keeps those no other catalog translates, fills the French
from FR.json ({"english": "français"}) or from the existing DOMAIN.po, writes DOMAIN.po and
DOMAIN.mo, and prints the strings still missing a translation.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "src/icm_recruit/translations/fr/LC_MESSAGES"


def extract(paths: list[str]) -> Catalog:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "babel.cfg"
        config.write_text("[python: **.py]\n[jinja2: **.html]\n[jinja2: **.txt]\n")
        pot = Path(tmp) / "messages.pot"
        subprocess.run(  # noqa: S603 - our own tool, fixed arguments
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(config),
             "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", *paths],
            cwd=ROOT, check=True, capture_output=True,
        )
        with pot.open("rb") as f:
            return read_po(f)


def translated_elsewhere(domain: str) -> set:
    found = set()
    for po in CATALOGS.glob("*.po"):
        if po.stem != domain:
            with po.open("rb") as f:
                found |= {m.id for m in read_po(f) if m.id and m.string}
    return found


def main() -> None:
    domain, json_path, *paths = sys.argv[1:]
    french = json.loads(Path(json_path).read_text()) if Path(json_path).exists() else {}
    target = CATALOGS / f"{domain}.po"
    old = Catalog(locale="fr")
    if target.exists():
        with target.open("rb") as f:
            old = read_po(f, locale="fr")
    others = translated_elsewhere(domain)
    catalog = Catalog(locale="fr", project="icm-recruit", domain=domain, fuzzy=False)
    missing = []
    for message in extract(paths):
        if not message.id or message.id in others:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        previous = old.get(message.id)
        value = french.get(key) or (previous.string if previous else None)
        catalog.add(message.id, value or "")
        if not value:
            missing.append(key)
    with target.open("wb") as f:
        write_po(f, catalog, no_location=True, sort_output=True, width=100)
    with target.with_suffix(".mo").open("wb") as f:
        write_mo(f, catalog)
    print(json.dumps(missing, ensure_ascii=False, indent=0))
    print(len(missing), "missing")


if __name__ == "__main__":
    main()
