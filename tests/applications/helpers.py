"""Shared steps of the application tests."""

import io

from tests.applications.factories import make_pdf
from tests.support import csrf_from


def edit_url(application) -> str:
    return f"/applications/{application.id}"


def upload(client, application, kind: str, data: bytes | None = None,
           filename: str = "file.pdf"):
    token = csrf_from(client.get(edit_url(application)).get_data(as_text=True))
    payload = {"csrf_token": token, "kind": kind,
               "file": (io.BytesIO(make_pdf() if data is None else data), filename)}
    return client.post(f"/applications/{application.id}/documents", data=payload,
                       follow_redirects=True)


def post_on_page(client, page_url: str, url: str, data: dict, **kwargs):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


DRAFT = {"current_position": "Group leader", "institution": "Institut Pasteur",
         "country": "FR", "phd_year": "2015", "title": "Circuits of memory",
         "keywords": "memory, synapse", "summary": "We study how memories form. " * 5,
         "publications": "Paper one. Nature 2020.", "excluded_1": "Prof. Rival"}
