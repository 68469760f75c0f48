"""Upload fuzzing: whatever arrives, the server answers calmly and stores only real PDFs.

Hypothesis generates hostile uploads (random bytes, truncated and bit-flipped PDFs,
polyglots, encrypted PDFs, page trees that lie about their size, odd file names). Each is
posted through the real upload route as the owning applicant. The figures (inputs, 5xx,
non-PDF stored) are printed; UPLOAD_FUZZ_EXAMPLES sets the size (CI: the default).
"""

import io
import json
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import func, select

from icm_recruit.applications.models import Document
from icm_recruit.auth.models import Role
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.support import csrf_from, make_user

pytestmark = pytest.mark.services
EXAMPLES = int(os.environ.get("UPLOAD_FUZZ_EXAMPLES", "700"))
VALID = make_pdf(pages=2)
ENCRYPTED = make_pdf(pages=1, password="secret")


def _lying_page_tree(count: int) -> bytes:
    """A PDF whose page tree claims `count` pages but has one."""
    return VALID.replace(b"/Count 2", b"/Count " + str(count).encode())


def _mutate(data: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


payloads = st.one_of(
    st.binary(max_size=4096),
    st.binary(max_size=2048).map(lambda b: b"%PDF-1.7\n" + b),
    st.integers(0, len(VALID) - 1).map(lambda n: VALID[:n]),
    st.integers(0, 2**32).map(lambda seed: _mutate(VALID, seed)),
    st.sampled_from([
        ENCRYPTED,
        b"%PDF-1.4\n<html><script>alert(1)</script></html>",
        b"PK\x03\x04" + VALID,  # zip header first
        VALID + b"PK\x03\x04zipzipzip",  # a PDF with a zip tail
        b"<svg onload=alert(1)>" + VALID,
        b"\xef\xbb\xbf" + VALID,  # BOM before the magic
        _lying_page_tree(10**9),
        _lying_page_tree(-1),
        _lying_page_tree(500),
        VALID,
    ]),
)
names = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["../../etc/passwd", "..\\..\\boot.ini", "cv.pdf\x00.exe", "a" * 1000,
                     "résumé «final».pdf", "\u202egpj.pdf", "CON", ".pdf", "x.PDF.exe",
                     "<script>.pdf"]),
)


def test_hostile_uploads_never_crash_and_store_only_pdfs(app, client, auth, ctx):
    call = make_call()
    applicant = make_user("fuzz@example.org", Role.APPLICANT)
    application = make_application(call, applicant, complete=True)
    auth.login("fuzz@example.org")
    token = csrf_from(client.get(f"/applications/{application.id}").get_data(as_text=True))
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = {p for p in folder.rglob("*") if p.is_file()}  # other tests' files
    stats = {"inputs": 0, "5xx": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=payloads, filename=names, kind=st.sampled_from(["cv", "research_project",
                                                                 "publications", "bogus"]))
    def post(data, filename, kind):
        response = client.post(
            f"/applications/{application.id}/documents",
            data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), filename)},
        )
        stats["inputs"] += 1
        if response.status_code >= 500:
            stats["5xx"] += 1

    post()
    stored = [p for p in folder.rglob("*") if p.is_file() and p not in before]
    non_pdf = 0
    for path in stored:
        content = path.read_bytes()
        try:
            reader = PdfReader(io.BytesIO(content))
            ok = content.startswith(b"%PDF-") and not reader.is_encrypted and len(reader.pages)
        except Exception:
            ok = False
        non_pdf += 0 if ok else 1
    db.session.expire_all()
    accepted = db.session.scalar(select(func.count(Document.id)).where(
        Document.application_id == application.id))
    stats.update(accepted_uploads=accepted, stored_files=len(stored), non_pdf_stored=non_pdf)
    print("UPLOAD_FUZZ", json.dumps(stats))
    assert stats["inputs"] >= min(EXAMPLES, 1000) * 0.9
    assert stats["5xx"] == 0
    assert non_pdf == 0
    assert accepted >= 1  # valid PDFs got through: the route really stores files
