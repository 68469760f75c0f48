"""A live server on the real PostgreSQL, Redis, a Celery worker and the SMTP sink, driven
by Debian's Chromium through Playwright; axe-core checks every page a journey visits."""

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support import free_port

VENDOR = Path(__file__).parent / "vendor"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text()
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def live_server(make_app, committed_db, mail, run_id):
    """Serve a non-eager app in a thread, with a Celery worker thread on its own queue."""
    from celery.contrib.testing.worker import start_worker

    queue = f"icm-test-{run_id}-browser"
    port = free_port()
    app = make_app(CELERY={"task_always_eager": False, "task_default_queue": queue},
                   SERVER_NAME_FOR_MAIL=f"http://127.0.0.1:{port}",
                   RATELIMIT_PREFIX=f"icm-test-{run_id}-browser-{port}")
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with start_worker(app.extensions["celery"], pool="solo", perform_ping_check=False,
                      queues=[queue], shutdown_timeout=10):
        app.base_url = f"http://127.0.0.1:{port}"
        yield app
    server.shutdown()
    thread.join(5)


def serious_violations(page, skip_rules: tuple[str, ...] = ()) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP stays in force.
        page.evaluate(AXE_SOURCE)
    rules = {rule: {"enabled": False} for rule in skip_rules}
    return page.evaluate(
        "async rules => (await axe.run(document, {resultTypes: ['violations'], rules}))"
        ".violations.filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
        rules,
    )


class Journey:
    """A browser page plus helpers: each step is screenshotted and checked with axe."""

    def __init__(self, page, base_url: str, folder: Path):
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.steps = 0
        self.violations: list[str] = []

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def step(self, name: str):
        """Screenshot the page and record serious or critical axe violations."""
        self.steps += 1
        self.page.mouse.move(0, 0)  # no button left hovered by the last click
        self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{name}.png"),
                             full_page=True)
        self.violations.extend(f"{name}: {v}" for v in serious_violations(self.page))

    def assert_accessible(self):
        assert self.violations == [], "\n".join(self.violations)


@pytest.fixture
def journey(browser, live_server, request, tmp_path):
    width = getattr(request, "param", 1280)
    # Reduced motion turns Bootstrap's colour transitions off, so that axe never reads a
    # button halfway through its hover or focus colours.
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    trip = Journey(page, live_server.base_url, tmp_path)
    yield trip
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        target = ARTIFACTS / request.node.name.replace("/", "_")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(tmp_path, target)
        page.screenshot(path=str(target / "failure.png"), full_page=True)
    context.close()
    assert errors == [], f"errors in the browser console: {errors}"
