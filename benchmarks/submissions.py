"""The last minute before a deadline: many applicants upload and submit at once.

Seeds a PostgreSQL database with one call closing WINDOW seconds after the rush starts
and N applicants, each signed in with a complete draft but for its CV, serves the app
with gunicorn (4 workers) behind a pretend proxy (PROXY_HOPS=1, one address per
applicant, as real applicants have), and lets every applicant, at a random moment of the
window (a tenth of them just after the deadline), open the page, upload a PDF and submit.
Then it reads the database:

- lost: the applicant was told "submitted" (the redirect to the receipt) but the database
  does not hold the application as submitted;
- late_accepted: submitted at or after the deadline (read on the database's clock);
- refused_on_time: refused although sent well before the deadline (more than 2 s early).

    python benchmarks/submissions.py [--applicants 200] [--window 60]

Prints one JSON line with p50/p95 latencies of the upload and of the submission, errors
(5xx and broken connections), and the three counts above (all must be 0).
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import PG, ROOT, flask, serve  # noqa: E402

PASSWORD = "rush-password-2027"  # noqa: S105 - generated benchmark data

SEED = """
from datetime import timedelta
from icm_recruit import create_app
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
app = create_app()
with app.app_context():
    now = utcnow()
    call = Call(slug="rush", title_en="Rush", title_fr="Rush", description_en="",
                description_fr="", opens_at=now - timedelta(days=30),
                closes_at=now + timedelta(days=1), status=CallStatus.OPEN,
                referees_required=0, summary_word_limit=300,
                document_rules=[{"kind": "cv", "required": True, "max_mb": 2,
                                 "max_pages": 10}])
    db.session.add(call)
    probe = User(email="probe@rush.example.org", name="probe")
    probe.set_password(PASSWORD)
    for i in range(N):
        user = User(email=f"a{i}@rush.example.org", name=f"Applicant {i}", locale="en",
                    timezone="Europe/Paris", password_hash=probe.password_hash,
                    email_verified_at=now)
        user.grant(Role.APPLICANT)
        db.session.add(user)
        db.session.flush()
        db.session.add(Application(
            call=call, applicant_id=user.id, status=ApplicationStatus.DRAFT,
            reference=f"ICM-2027-R{i:04d}", current_position="Group leader",
            institution="Institut Pasteur", country="FR", phd_year=2015,
            title=f"Project {i}", keywords="memory, sleep", summary="We study memory. " * 20,
            publications="Paper one. Nature 2020."))
    db.session.commit()
    print(call.id)
"""


def pdf_bytes(pages: int = 4) -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Applicant:
    def __init__(self, base: str, index: int):
        self.base, self.index = base, index
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.address = f"10.{index // 250}.{index % 250}.7"

    def request(self, path: str, data: bytes | None = None, content_type: str | None = None):
        req = urllib.request.Request(self.base + path, data=data,
                                     headers={"X-Forwarded-For": self.address})
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            response = self.opener.open(req, timeout=120)
        except urllib.error.HTTPError as exc:  # 3xx (not followed) and errors
            return exc.code, exc.headers, exc.read()
        return response.status, response.headers, response.read()

    def token(self, path: str) -> str | None:
        """The form's token, or None when the page has no form (the deadline passed)."""
        _status, _headers, body = self.request(path)
        found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
        return found.group(1).decode() if found else None

    def login(self) -> None:
        data = urllib.parse.urlencode({"csrf_token": self.token("/login"),
                                       "email": f"a{self.index}@rush.example.org",
                                       "password": PASSWORD, "next": ""}).encode()
        status, _headers, _body = self.request("/login", data)
        assert status == 302, f"sign-in failed for applicant {self.index}: {status}"


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def rush(applicants: list, application_ids: dict, deadline: float, window: float,
         pdf: bytes) -> list[dict]:
    outcomes: list[dict] = []
    lock = threading.Lock()
    rng = random.Random(7)  # noqa: S311 - spreading the load, not security
    late = set(rng.sample(range(len(applicants)), len(applicants) // 10))
    starts = {a.index: (deadline + rng.uniform(0.0, 3.0)) if a.index in late
              else deadline - window + rng.uniform(0.0, window - 1.0) for a in applicants}

    def run(applicant: Applicant) -> None:
        time.sleep(max(0.0, starts[applicant.index] - time.time()))
        app_id = application_ids[applicant.index]
        outcome = {"index": applicant.index, "started": time.time(), "error": None}
        try:
            token = applicant.token(f"/applications/{app_id}")
            if token is None:  # past the deadline the page offers no form any more
                outcome["closed_page"] = True
                with lock:
                    outcomes.append(outcome)
                return
            body, kind = _multipart({"csrf_token": token, "kind": "cv"},
                                    {"file_cv": ("cv.pdf", pdf)})
            began = time.perf_counter()
            status, _h, _b = applicant.request(f"/applications/{app_id}/documents", body, kind)
            outcome["upload_s"], outcome["upload_status"] = time.perf_counter() - began, status
            data = urllib.parse.urlencode({"csrf_token": token, "confirm": "y",
                                           "consent": "y"}).encode()
            outcome["submit_sent"] = time.time()
            began = time.perf_counter()
            status, headers, _b = applicant.request(f"/applications/{app_id}/submit", data)
            outcome["submit_s"], outcome["submit_status"] = time.perf_counter() - began, status
            outcome["told_submitted"] = (status == 302
                                         and "submitted=1" in headers.get("Location", ""))
        except OSError as exc:
            outcome["error"] = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(a,)) for a in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return round(values[max(int(len(values) * share) - 1, 0)] * 1000, 1) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--window", type=float, default=60.0)
    args = parser.parse_args()
    name = f"icm_rush_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db_url = PG.rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "ICM_ENV": "test", "PROXY_HOPS": "1",
           "RATELIMIT_PREFIX": f"icm-bench-{name}",
           "DATABASE_URL": f"postgresql+psycopg://127.0.0.1:5432/{name}",
           "UPLOAD_FOLDER": f"/tmp/{name}-uploads", "ICM_CELERY_QUEUE": f"{name}"}
    proc = None
    try:
        flask(env, "db", "upgrade")
        call_id = int(subprocess.run(
            [sys.executable, "-c", f"PASSWORD = {PASSWORD!r}\n"
             + SEED.replace("range(N)", f"range({args.applicants})")],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.split()[-1])
        with psycopg.connect(db_url) as conn:
            ids = dict(conn.execute(
                "SELECT substr(u.email, 2, position('@' in u.email) - 2)::int, a.id "
                "FROM application a JOIN \"user\" u ON u.id = a.applicant_id").fetchall())
        proc, base = serve(env)
        applicants = [Applicant(base, i) for i in range(args.applicants)]
        for applicant in applicants:
            applicant.login()
        deadline = time.time() + args.window + 2.0
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("UPDATE call SET closes_at = to_timestamp(%s) WHERE id = %s",
                         (deadline, call_id))
        outcomes = rush(applicants, ids, deadline, args.window, pdf_bytes())
        with psycopg.connect(db_url) as conn:
            rows = dict(conn.execute(
                "SELECT a.id, a.status = 'submitted' AND a.submitted_at < c.closes_at "
                "FROM application a JOIN call c ON c.id = a.call_id").fetchall())
            late_accepted = conn.execute(
                "SELECT count(*) FROM application a JOIN call c ON c.id = a.call_id "
                "WHERE a.submitted_at >= c.closes_at").fetchone()[0]
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    errors = sum(1 for o in outcomes if o["error"] or o.get("upload_status", 0) >= 500
                 or o.get("submit_status", 0) >= 500)
    lost = sum(1 for o in outcomes if o.get("told_submitted") and not rows[ids[o["index"]]])
    refused_on_time = sum(1 for o in outcomes if "submit_sent" in o
                          and o["submit_sent"] < deadline - 2.0 and not o["told_submitted"])
    uploads = [o["upload_s"] for o in outcomes if "upload_s" in o]
    submits = [o["submit_s"] for o in outcomes if "submit_s" in o]
    print(json.dumps({
        "benchmark": "submission_rush", "applicants": args.applicants,
        "window_s": args.window, "submitted_on_time": sum(rows.values()),
        "told_submitted": sum(1 for o in outcomes if o.get("told_submitted")),
        "upload_p50_ms": round(statistics.median(uploads) * 1000, 1) if uploads else 0.0,
        "upload_p95_ms": _percentile(uploads, 0.95),
        "submit_p50_ms": round(statistics.median(submits) * 1000, 1) if submits else 0.0,
        "submit_p95_ms": _percentile(submits, 0.95),
        "shown_closed_page": sum(1 for o in outcomes if o.get("closed_page")),
        "errors": errors, "lost": lost, "late_accepted": late_accepted,
        "refused_on_time": refused_on_time}))


if __name__ == "__main__":
    main()
