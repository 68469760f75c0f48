"""Keep a feature's French catalog: tools/i18n_domain.py DOMAIN FR.json PATH...

Extracts the strings of PATHs, keeps those no other catalog translates, fills French
from FR.json ({english: french}) or the existing .po, writes DOMAIN.po and .mo, and prints
the strings still missing a translation."""
import json, subprocess, sys, tempfile
from pathlib import Path
from babel.messages.pofile import read_po, write_po
from babel.messages.mofile import write_mo
from babel.messages.catalog import Catalog
ROOT = Path(__file__).resolve().parents[1]; DIR = ROOT / "src/icm_recruit/translations/fr/LC_MESSAGES"
domain, jpath, *paths = sys.argv[1:]
with tempfile.TemporaryDirectory() as tmp:
    cfg = Path(tmp) / "b.cfg"
    cfg.write_text("[python: **.py]\n[jinja2: **.html]\n[jinja2: **.txt]\n")
    pot = Path(tmp) / "m.pot"
    subprocess.run([str(ROOT/".venv/bin/pybabel"), "extract", "-F", str(cfg), "-k", "_l", "-k", "lazy_gettext",
                    "-o", str(pot), "--no-location", *paths], cwd=ROOT, check=True, capture_output=True)
    template = read_po(open(pot, "rb"))
others = set()
for po in DIR.glob("*.po"):
    if po.stem == domain: continue
    others |= {m.id for m in read_po(open(po, "rb")) if m.id and m.string}
fr = json.loads(Path(jpath).read_text()) if Path(jpath).exists() else {}
mine = DIR / f"{domain}.po"
old = read_po(open(mine, "rb"), locale="fr") if mine.exists() else Catalog(locale="fr")
cat = Catalog(locale="fr", project="icm-recruit", domain=domain, fuzzy=False)
missing = []
for msg in template:
    if not msg.id or msg.id in others: continue
    key = msg.id if isinstance(msg.id, str) else msg.id[0]
    value = fr.get(key) or (old.get(msg.id).string if old.get(msg.id) else None)
    cat.add(msg.id, value or "")
    if not value: missing.append(key)
with open(mine, "wb") as f: write_po(f, cat, no_location=True, sort_output=True, width=100)
with open(mine.with_suffix(".mo"), "wb") as f: write_mo(f, cat)
print(json.dumps(missing, ensure_ascii=False, indent=0))
print(len(missing), "missing")
