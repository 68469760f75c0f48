"""Static files named with a digest of their content, so browsers keep them.

Without it a browser asks again for each stylesheet and script at every page (six
conditional requests, each a round trip, on a slow mobile link too). Every
`url_for('static', ...)` gets `?v=` and the first twelve hex digits of the file's SHA-256;
a request that names the digest of the file as it is now is answered with a year's
`Cache-Control` (a changed file has a new digest, hence a new address); any other keeps
Flask's default, to be checked again each time.
"""

import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600
DIGITS = 12


class Digests:
    """File digests, read once per file for the life of the process (in debug mode, again
    whenever the file changes)."""

    def __init__(self, folder: str, follow_changes: bool):
        self.folder = Path(folder).resolve()
        self.follow_changes = follow_changes
        self._known: dict[str, tuple[float, str | None]] = {}

    def of(self, filename: str) -> str | None:
        known = self._known.get(filename)
        if known is not None and not self.follow_changes:
            return known[1]
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        stamp = path.stat().st_mtime
        if known is None or known[0] != stamp:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGITS]
            known = self._known[filename] = (stamp, digest)
        return known[1]


def init_assets(app: Flask) -> None:
    digests = Digests(app.static_folder, follow_changes=app.debug)
    app.extensions["icm_asset_digests"] = digests

    @app.url_defaults
    def _version_static(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            digest = digests.of(values["filename"])
            if digest:
                values["v"] = digest

    default_max_age = app.get_send_file_max_age

    def max_age(filename):
        asked = request.args.get("v")
        if asked and filename and asked == digests.of(filename):
            return YEAR
        return default_max_age(filename)

    app.get_send_file_max_age = max_age
