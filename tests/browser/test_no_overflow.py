"""Every page a role reaches from its home page and its navigation (the navbar and the tab
bars of the pages it leads to), and one level deeper, at phone and desktop widths, in
English and in French: no server error, no page wider than the window, no console error
and no serious axe violation."""

import re
import time
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select, update

from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call
from icm_recruit.extensions import db
from icm_recruit.seed import DEMO_PASSWORD, seed_demo
from icm_recruit.selection.ranking import build_snapshot
from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.services, pytest.mark.browser]

ROLES = {
    "applicant": "applicant1@demo.icm-recruit.org",
    "board member": "reviewer1@demo.icm-recruit.org",
    "chair": "chair@demo.icm-recruit.org",
    "hr": "hr@demo.icm-recruit.org",
}
WIDTHS = (1280, 375)
ACCOUNT = "/account"
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
# Charts follow a resized window at the next frames, as they would on a phone turned round
# (a page without a chart is laid out again by the next frames alone).
SETTLED = """() => new Promise(done => setTimeout(
  () => requestAnimationFrame(() => requestAnimationFrame(done)),
  document.querySelector('canvas') ? 50 : 0))"""
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
    """The route a link leads to, so that one page per template and language is visited:
    ids become #, and a template's versions for each of its locales count once."""
    path = re.sub(r"\d+", "#", urlsplit(url).path)
    path = re.sub(r"^/admin/mail-texts/[a-z_]+", "/admin/mail-texts/<kind>", path)
    return re.sub(r"/[a-z-]+/(en|fr)$", "/<kind>/<locale>", path)


def _sign_in(page, base_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url, f"{email} could not sign in"


class Visit:
    """Open pages and check each at every width; keep the problems found."""

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

    def stop(self) -> None:
        self.page.remove_listener("pageerror", self.on_error)
        self.page.remove_listener("console", self.on_console)

    def check(self, url: str) -> bool:
        """Open the page at the first width, then narrow the window to each other width;
        say whether the page was served, so that its links are worth following."""
        self.errors.clear()
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        try:
            response = self.page.goto(url)
        except Exception as exc:
            if "Download is starting" in str(exc):
                return False
            raise
        path = urlsplit(url).path
        if response is not None and response.status >= 500:
            self.problems.append(f"{self.label} {path}: HTTP {response.status}")
            return False
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.evaluate(SETTLED)
            self._inspect(f"{self.label} {width}px {path}", width)
        refused = response is not None and response.status >= 400
        # A refused page logs its own status in the console; that status is the answer.
        self.problems.extend(f"{self.label} {path}: console {e}" for e in self.errors
                             if not (refused and e.startswith("Failed to load resource")))
        return not refused

    def _inspect(self, where: str, width: int) -> None:
        scroll_width, inner_width = self.page.evaluate(PAGE_WIDTH)
        if scroll_width > inner_width:
            self.overflows += 1
            culprits = self.page.evaluate(WIDER_THAN_WINDOW)
            self.problems.append(f"{where}: {scroll_width}px wide in a {inner_width}px "
                                 f"window; {culprits}")
        # Colours do not change with the width: contrast is checked once, at the first.
        skip = () if width == WIDTHS[0] else ("color-contrast",)
        self.problems.extend(f"{where}: axe {v}"
                             for v in serious_violations(self.page, skip_rules=skip))


def _visit_role(visit: Visit, base_url: str, skip: set[str]) -> list[str]:
    """Check the pages of the navbar and of every tab bar met on the way, and the pages
    these link to, one per route; return the addresses checked."""
    page = visit.page
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(base_url + "/")
    seen = set(skip)
    navigation: list[str] = []
    deeper: list[str] = []
    checked: list[str] = []

    def add(found: list[str], into: list[str]) -> None:
        for url in found:
            if _shape(url) not in seen:
                seen.add(_shape(url))
                into.append(url)

    # The home page first: each role's own to-do list, and the pages it links to.
    add([base_url + "/"], navigation)
    add(_links(page, base_url, "#nav"), navigation)
    assert len(navigation) > 1, f"{visit.label} sees no link in the navigation"
    while navigation or deeper:
        is_navigation = bool(navigation)
        url = navigation.pop(0) if is_navigation else deeper.pop(0)
        checked.append(url)
        if visit.check(url):
            add(_links(page, base_url, "main .nav"), navigation)
            if is_navigation:
                add(_links(page, base_url, "main"), deeper)
    return checked


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_reachable_page_fits_phone_and_desktop(browser, live_server, lang):
    started = time.monotonic()
    with live_server.app_context():
        seed_demo()
        # Every demo call gets a ranking from its reviews, so that the widest table is
        # filled whichever call the links lead to first.
        for call in db.session.scalars(select(Call)):
            build_snapshot(call, by=User.by_email(ROLES["hr"]))
        db.session.execute(update(User).values(locale=lang))
        db.session.commit()
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    pages = overflows = 0
    problems: list[str] = []
    shared: set[str] = set()  # one's own account pages look alike whatever the role
    try:
        for role, email in ROLES.items():
            visit = Visit(page, f"{role}/{lang}")
            _sign_in(page, live_server.base_url, email)
            urls = _visit_role(visit, live_server.base_url, shared)
            shared |= {_shape(url) for url in urls if urlsplit(url).path.startswith(ACCOUNT)}
            visit.stop()
            pages += len(urls)
            overflows += visit.overflows
            problems += visit.problems
    finally:
        context.close()
    print(f"\nno-overflow [{lang}]: {pages} pages visited, {len(WIDTHS)} viewports "
          f"({' and '.join(map(str, WIDTHS))} px), language {lang}, {len(ROLES)} roles, "
          f"{overflows} overflowing, {time.monotonic() - started:.0f} s")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_hr_mail_text_pages_fit_phone_and_desktop(browser, live_server, lang):
    """The e-mail text pages, below the crawl's depth: a kind with its two previews, its
    edit form with a refused text and with a preview, at both widths."""
    with live_server.app_context():
        seed_demo()
        db.session.execute(update(User).values(locale=lang))
        db.session.commit()
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    base = live_server.base_url
    try:
        visit = Visit(page, f"hr/{lang}")
        _sign_in(page, base, ROLES["hr"])
        for kind in ("referee_request", "board_assignments", "application_ineligible"):
            assert visit.check(f"{base}/admin/mail-texts/{kind}")
        edit = f"{base}/admin/mail-texts/referee_request/{lang}"
        assert visit.check(edit)
        page.locator("#body").fill("Dear {name}, {nom} " + "https://example.org/" + "x" * 120)
        with page.expect_navigation():
            page.locator("button[value=save]").click()
        assert "{nom}" in page.locator("#body-errors").inner_text()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(SETTLED)
            visit._inspect(f"hr/{lang} {width}px refused text", width)
        page.locator("#body").fill("Dear {name},\n\n{url}\n\n" + "y" * 150)
        with page.expect_navigation():
            page.locator("button[value=preview]").click()
        assert page.locator(".mail-html-inline").count() == 1
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(SETTLED)
            visit._inspect(f"hr/{lang} {width}px preview", width)
        # The refused text answers 422, which the browser logs: that status is the answer.
        problems = visit.problems + [f"console {e}" for e in visit.errors
                                     if "status of 422" not in e]
        visit.stop()
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
