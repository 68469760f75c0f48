"""Static files are addressed by their content's digest and kept by browsers for a year;
an address without the current digest is checked again every time."""

import hashlib
import re

import pytest

from icm_recruit.core.assets import YEAR

pytestmark = pytest.mark.services


def _static_addresses(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_every_static_address_of_a_page_names_its_digest_and_is_kept(client, app):
    page = client.get("/login")
    addresses = _static_addresses(page.get_data(as_text=True))
    assert len(addresses) >= 5  # two stylesheets, the icon, three scripts
    for address in addresses:
        path, _, query = address.partition("?v=")
        content = (app.static_folder + path.removeprefix("/static")).replace("//", "/")
        with open(content, "rb") as f:
            assert query == hashlib.sha256(f.read()).hexdigest()[:12], address
        response = client.get(address)
        assert response.status_code == 200
        assert response.cache_control.max_age == YEAR
        assert response.cache_control.public


def test_an_old_or_missing_digest_is_checked_again(client):
    for address in ("/static/app.css", "/static/app.css?v=000000000000"):
        response = client.get(address)
        assert response.status_code == 200
        assert response.cache_control.max_age != YEAR
        assert response.cache_control.no_cache or not response.cache_control.max_age


def test_a_name_outside_the_folder_gets_no_digest(app):
    digests = app.extensions["icm_asset_digests"]
    assert digests.of("../__init__.py") is None
    assert digests.of("no-such-file.css") is None
    assert digests.of("app.css") is not None
