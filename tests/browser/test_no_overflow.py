"""Every page a role reaches from its navigation, and one level deeper, at phone and desktop
widths, in English and in French: no server error, no page wider than the window, no
console error and no serious axe violation."""

import re
import time
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import update

from icm_recruit.auth.models import User
from icm_recruit.extensions import db
from icm_recruit.seed import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.services, pytest.mark.browser]

ROLES = {
    "applicant": "applicant1@demo.icm-recruit.org",
    "board member": "reviewer1@demo.icm-recruit.org",
    "chair": "chair@demo.icm-recruit.org",
    "hr": "hr@demo.icm-recruit.org",
}
WIDTHS = (1280, 375)
SKIPPED = re.compile(r"/logout|/download|/export|/static/|\.(csv|pdf|zip|ics|xlsx)$"
                     r"|/documents?/|/files?/|/letters?/\d+/pdf", re.IGNORECASE)
WIDER_THAN_WINDOW = """() => {
  const limit = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= window.innerWidth) return [];
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > limit + 1)
    .filter(el => !el.parentElement.closest('.table-responsive, pre'))
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
         + (el.className && typeof el.className === 'string'
            ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
         + ' right=' + Math.round(el.getBoundingClientRect().right));
}"""
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _links(page, base_url: str, scope: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        f"{scope} a[href]:not([download]):not([target=_blank])",
        "links => links.map(a => a.href)")
    origin = urlsplit(base_url).netloc
    found = []
    for href in hrefs:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if parts.netloc != origin or SKIPPED.search(parts.path):
            continue
        found.append(url)
    return found


def _shape(url: str) -> str:
    """The route a link leads to, so that one page per template is visited."""
    return re.sub(r"\d+", "#", urlsplit(url).path)


def _sign_in(page, base_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


class Visit:
    """The checks made on one page at one width; the problems found so far."""

    def __init__(self, page, label: str):
        self.page = page
        self.label = label
        self.errors: list[str] = []
        self.problems: list[str] = []
        self.overflows = 0
        page.on("pageerror", self.on_error)
        page.on("console", self.on_console)

    def on_error(self, exc) -> None:
        self.errors.append(str(exc))

    def on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def check(self, url: str, width: int) -> bool:
        """Visit the page at this width; say whether it is a page to look into."""
        self.errors.clear()
        try:
            t0 = time.monotonic()
            response = self.page.goto(url)
            print("GOTO", url, round(time.monotonic() - t0, 2))
        except Exception as exc:
            if "Download is starting" in str(exc):
                return False
            raise
        where = f"{self.label} {width}px {urlsplit(url).path}"
        if response is not None and response.status >= 500:
            self.problems.append(f"{where}: HTTP {response.status}")
            return False
        scroll_width, inner_width = self.page.evaluate(PAGE_WIDTH)
        if scroll_width > inner_width:
            self.overflows += 1
            culprits = self.page.evaluate(WIDER_THAN_WINDOW)
            self.problems.append(f"{where}: {scroll_width}px wide in a {inner_width}px "
                                 f"window; {culprits}")
        t0 = time.monotonic()
        self.problems.extend(f"{where}: axe {v}" for v in serious_violations(self.page))
        print("AXE", where, round(time.monotonic() - t0, 2))
        self.problems.extend(f"{where}: console {e}" for e in self.errors)
        return response is not None and response.status < 400


def _visit_role(visit: Visit, base_url: str) -> list[str]:
    """Check, at desktop width, the navbar's pages and the pages they link to, one per
    route; return the addresses checked."""
    page = visit.page
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(base_url + "/")
    seen: set[str] = set()
    urls: list[str] = []

    def add(found: list[str]) -> None:
        for url in found:
            if _shape(url) not in seen:
                seen.add(_shape(url))
                urls.append(url)

    add(_links(page, base_url, "#nav"))
    assert urls, f"{visit.label} sees no link in the navigation"
    navbar = len(urls)
    for url in urls[:navbar]:
        if visit.check(url, WIDTHS[0]):
            add(_links(page, base_url, "main"))
    for url in urls[navbar:]:
        visit.check(url, WIDTHS[0])
    return urls


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_reachable_page_fits_phone_and_desktop(browser, live_server, lang):
    started = time.monotonic()
    with live_server.app_context():
        t0 = time.monotonic()
        seed_demo()
        print("SEED", round(time.monotonic() - t0, 2))
        db.session.execute(update(User).values(locale=lang))
        db.session.commit()
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    pages = overflows = 0
    problems: list[str] = []
    try:
        for role, email in ROLES.items():
            visit = Visit(page, f"{role}/{lang}")
            _sign_in(page, live_server.base_url, email)
            urls = _visit_role(visit, live_server.base_url)
            for width in WIDTHS[1:]:
                page.set_viewport_size({"width": width, "height": 900})
                for url in urls:
                    visit.check(url, width)
            pages += len(urls)
            overflows += visit.overflows
            problems += visit.problems
            page.remove_listener("console", visit.on_console)
            page.remove_listener("pageerror", visit.on_error)
    finally:
        context.close()
    print(f"\nno-overflow [{lang}]: {pages} pages visited, {len(WIDTHS)} viewports "
          f"({' and '.join(map(str, WIDTHS))} px), language {lang}, {len(ROLES)} roles, "
          f"{overflows} overflowing, {time.monotonic() - started:.0f} s")
    assert problems == [], "\n".join(problems)
