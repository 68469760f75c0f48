"""Page cost at two call sizes: SQL queries per request, latency and throughput.

Seeds two PostgreSQL databases (N=40 and N=4,000 applications, with the demo data and
`seed-demo --applications N --reviewers M`), serves each with gunicorn, signs in as HR
and as a board member, and measures the main pages: SQL statements per request (from the
X-Query-Count header that QUERY_COUNT_HEADER=1 turns on), then p50/p95 latency and
requests per second under 20 concurrent clients, and the throughput of a trivial
endpoint (a static file) served by the same gunicorn in the same run.

    python benchmarks/pages.py [--seconds 5] [--clients 20]

Both sizes are loaded the same way. Prints one JSON line: per page queries_small,
queries_large, p50/p95 latency and requests per second at N=4,000, ratio_to_trivial (its
throughput over the static file's in the same run), the N=40 figures, large_to_small (the
N=40 throughput over the N=4,000 one) and meets_targets (at least 0.3 of the static file,
p95 under 100 ms, large_to_small at most 1.5).

The clients of one person share their session, as the tabs of one browser do, so after
the first view they get the page kept for that reader (core/pagecache.py) until the data
changes: the load measures a page asked for again. first_view_ms is the time of the
page's first view by a new session (rendered, not kept), and `--no-page-cache` measures
every view rendered (PAGE_CACHE_SECONDS=0), what a page costs right after each change.
"""

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://127.0.0.1:5432/test")
HR = ("hr@demo.icm-recruit.org", "demo-password-2027")
MEMBER_PASSWORD = "scale-password-2027"  # noqa: S105 - generated demo data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "icm_recruit", *args],
                            cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return result.stdout


def prepare(name: str, applications: int, reviewers: int) -> tuple[dict, dict]:
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "ICM_ENV": "test", "QUERY_COUNT_HEADER": "1",
           "RATELIMIT_PREFIX": f"icm-bench-{name}",
           "DATABASE_URL": f"postgresql+psycopg://127.0.0.1:5432/{name}",
           "UPLOAD_FOLDER": f"/tmp/{name}-uploads"}
    flask(env, "db", "upgrade")
    flask(env, "seed-demo", "--applications", str(applications), "--reviewers", str(reviewers))
    with psycopg.connect(PG.rsplit("/", 1)[0] + f"/{name}", autocommit=True) as conn:
        call_id = conn.execute("SELECT id FROM call WHERE slug LIKE 'scale-%'").fetchone()[0]
        app_id = conn.execute("SELECT min(id) FROM application WHERE call_id = %s",
                              (call_id,)).fetchone()[0]
        _rank(env, call_id)
        # The statistics autovacuum keeps on a live database, so plans are those of one.
        conn.execute("ANALYZE")
    # A late page of the ranking: the last full page of 100 rows, at either size.
    return env, {"call": call_id, "application": app_id, "late_page": max(1, applications // 100),
                 "member": f"member0.{call_id}@scale.icm-recruit.org"}


def _rank(env: dict, call_id: int) -> None:
    """Store a ranking snapshot so the ranking page shows a full table."""
    code = ("from icm_recruit import create_app\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    from icm_recruit.calls.models import Call\n"
            "    from icm_recruit.extensions import db\n"
            "    from icm_recruit.selection.ranking import build_snapshot\n"
            f"    build_snapshot(db.session.get(Call, {call_id}), by=None)\n"
            "    db.session.commit()\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                   capture_output=True)


PAGES = {
    "applications_list": ("hr", "/admin/calls/{call}/applications"),
    "applications_list_filtered_sorted": (
        "hr", "/admin/calls/{call}/applications?status=under_review&sort=-submitted"),
    "hr_progress_dashboard": ("hr", "/review/calls/{call}/progress"),
    "member_assignments": ("member", "/review/"),
    "ranking": ("hr", "/selection/calls/{call}/ranking"),
    "ranking_filtered_late_page": (
        "hr", "/selection/calls/{call}/ranking?status=under_review&sort=rank&page={late_page}"),
    "application_page": ("hr", "/admin/applications/{application}"),
    "stage_funnel": ("hr", "/stages/calls/{call}"),
    "meetings_of_the_call": ("hr", "/meeting/calls/{call}"),
    "hr_home": ("hr", "/"),
    "member_home": ("member", "/"),
    "audit_trail": ("hr", "/admin/audit"),
}


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str):
        return self.opener.open(self.base + path, timeout=60)

    def login(self, email: str, password: str) -> None:
        page = self.get("/login").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": email,
                                       "password": password, "next": ""}).encode()
        self.opener.open(self.base + "/login", data=data, timeout=60).read()


def serve(env: dict):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "icm_recruit.wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    return proc, base


def query_counts(base: str, ids: dict) -> tuple[dict, dict]:
    """The queries and the time of each page's first view, by a session of its own."""
    clients = {"hr": Client(base), "member": Client(base)}
    clients["hr"].login(*HR)
    clients["member"].login(ids["member"], MEMBER_PASSWORD)
    counts, times = {}, {}
    for name, (who, path) in PAGES.items():
        started = time.perf_counter()
        response = clients[who].get(path.format(**ids))
        response.read()
        times[name] = round((time.perf_counter() - started) * 1000, 1)
        if response.status != 200:
            raise SystemExit(f"{name}: HTTP {response.status} at {path.format(**ids)}")
        counts[name] = int(response.headers.get("X-Query-Count", -1))
    return counts, times


def load(base: str, who: tuple | None, path: str, seconds: float, clients: int,
         signed_in: dict) -> dict:
    # One sign-in per person, shared by the concurrent clients (sign-in is rate limited).
    if who and who not in signed_in:
        signed_in[who] = Client(base)
        signed_in[who].login(*who)
    sessions = [signed_in[who] if who else Client(base) for _ in range(clients)]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(client):
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                client.get(path).read()
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=run, args=(c,)) for c in sessions]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begun
    latencies.sort()
    return {"p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
            "rps": round(len(latencies) / elapsed, 1), "errors": errors[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--large", type=int, default=4000)
    parser.add_argument("--no-page-cache", action="store_true",
                        help="render every view (no page kept for its reader)")
    args = parser.parse_args()
    if args.no_page_cache:
        os.environ["PAGE_CACHE_SECONDS"] = "0"
    tag = uuid.uuid4().hex[:6]
    names = {"small": f"icm_pages_small_{tag}", "large": f"icm_pages_large_{tag}"}
    procs = []
    try:
        env_small, ids_small = prepare(names["small"], 40, 10)
        env_large, ids_large = prepare(names["large"], args.large, 150)
        measured = {}
        for size, env, ids in (("small", env_small, ids_small), ("large", env_large, ids_large)):
            proc, base = serve(env)
            procs.append(proc)
            counts, first_views = query_counts(base, ids)
            signed_in: dict = {}
            trivial = load(base, None, "/static/favicon.svg", args.seconds, args.clients,
                           signed_in)
            figures = {}
            for name, (who, path) in PAGES.items():
                login = HR if who == "hr" else (ids["member"], MEMBER_PASSWORD)
                figures[name] = {"queries": counts[name], "first_view_ms": first_views[name],
                                 **load(base, login, path.format(**ids), args.seconds,
                                        args.clients, signed_in)}
            measured[size] = (trivial, figures)
            proc.terminate()
            proc.wait(10)
        trivial_small, small = measured["small"]
        trivial, large = measured["large"]
        pages = {}
        for name, figures in large.items():
            pages[name] = {
                "queries_small": small[name]["queries"], "queries_large": figures["queries"],
                "first_view_ms": figures["first_view_ms"],
                "p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"], "rps": figures["rps"],
                "errors": figures["errors"],
                "ratio_to_trivial": round(figures["rps"] / trivial["rps"], 2),
                "p50_ms_small": small[name]["p50_ms"], "rps_small": small[name]["rps"],
                # How much slower the page is at N=4,000 than at N=40 (target: 1.5 at most).
                "large_to_small": round(small[name]["rps"] / figures["rps"], 2),
                "meets_targets": bool(figures["rps"] >= 0.3 * trivial["rps"]
                                      and figures["p95_ms"] < 100
                                      and small[name]["rps"] / figures["rps"] <= 1.5),
            }
        result = {"applications_small": 40, "applications_large": args.large,
                  "clients": args.clients, "gunicorn_workers": 4,
                  "page_cache_seconds": 0 if args.no_page_cache else int(
                      os.environ.get("PAGE_CACHE_SECONDS", "30")),
                  "trivial": trivial,
                  "trivial_small": trivial_small, "load_average": os.getloadavg(),
                  "pages": pages}
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # a worker still busy: stop it for good
                proc.kill()
                proc.wait(10)
        with psycopg.connect(PG, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(result))


if __name__ == "__main__":
    main()
