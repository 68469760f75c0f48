"""Texts a later stage asks for, each within a word limit, through HTTP: HR sets them on the
stage, the applicant writes them (saved as typed, with every upload and send), cannot send
their part while one is empty or too long, and the board and HR read them."""

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStage, StageProgress
from icm_recruit.calls.models import Call
from icm_recruit.extensions import db
from tests.applications.factories import make_pdf
from tests.stages import factories
from tests.support import csrf_from, post_form

pytestmark = pytest.mark.services

SECTIONS = {
    "sections-0-key": "", "sections-0-title_en": "Research programme",
    "sections-0-title_fr": "Programme de recherche", "sections-0-word_limit": "30",
    "sections-0-required": "y",
    "sections-1-key": "", "sections-1-title_en": "Why here", "sections-1-title_fr": "Pourquoi ici",
    "sections-1-word_limit": "20",
}


@pytest.fixture
def staged(ctx, client, auth):
    staged = factories.build(client, auth)
    stage_url = f"/stages/calls/{staged.call.id}/2"
    assert post_form(client, stage_url, factories.stage_two_form(**SECTIONS)).status_code == 302
    return staged


def _entry(application) -> ApplicationStage:
    db.session.expire_all()
    return db.session.scalar(select(ApplicationStage).where(
        ApplicationStage.application_id == application.id, ApplicationStage.stage == 2))


def _post(client, application, path, data, page_url=None):
    return post_form(client, f"/applications/{application.id}/stage/{path}", data,
                     page_url=page_url or f"/applications/{application.id}",
                     follow_redirects=True)


def test_hr_sets_the_texts_of_a_stage_and_a_half_filled_row_is_refused(client, staged):
    stage = db.session.get(Call, staged.call.id).stage(2)
    assert [(s.key, s.title_en, s.word_limit, s.required) for s in stage.text_sections] == [
        ("s1", "Research programme", 30, True), ("s2", "Why here", 20, False)]
    page = client.get(f"/stages/calls/{staged.call.id}/2").get_data(as_text=True)
    assert 'value="Programme de recherche"' in page and 'value="s1"' in page

    refused = post_form(client, f"/stages/calls/{staged.call.id}/2", factories.stage_two_form(
        **{**SECTIONS, "sections-2-title_en": "Budget", "sections-2-word_limit": "100"}))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Give the title in both languages." in text and 'value="Budget"' in text
    # Keys stay with their texts: the first row removed, the second keeps "s2".
    kept = {**SECTIONS, "sections-0-title_en": "", "sections-0-title_fr": "",
            "sections-1-key": "s2"}
    assert post_form(client, f"/stages/calls/{staged.call.id}/2",
                     factories.stage_two_form(**kept)).status_code == 302
    db.session.expire_all()
    stage = db.session.get(Call, staged.call.id).stage(2)
    assert [s.key for s in stage.text_sections] == ["s2"]


def test_the_applicant_writes_within_the_limits_and_nothing_typed_is_lost(
        client, auth, mail, staged):
    apps = staged.applications
    factories.open_stage_two(client, staged, apps[:3])
    applicant = apps[1]
    auth.login(applicant.applicant)
    page = client.get(f"/applications/{applicant.id}").get_data(as_text=True)
    assert 'name="text_s1"' in page and 'data-word-limit="30"' in page
    assert "Research programme" in page and "0 of 30 words" in page

    # Too long: kept as typed, with a warning naming the text.
    long_text = " ".join(["neuron"] * 35)
    saved = _post(client, applicant, "texts", {"text_s1": long_text, "text_s2": ""})
    assert "Research programme has 35 words, more than the limit of 30" in saved.get_data(
        as_text=True)
    assert _entry(applicant).texts["s1"] == long_text

    # An upload carries the texts along; a refused send keeps them and says why.
    page = client.get(f"/applications/{applicant.id}").get_data(as_text=True)
    uploaded = client.post(f"/applications/{applicant.id}/stage/documents", data={
        "csrf_token": csrf_from(page), "kind": "full_proposal", "text_s1": "Short plan.",
        "text_s2": "Because of the platforms.",
        "file_full_proposal": (io.BytesIO(make_pdf(2)), "proposal.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "2 pages" in uploaded.get_data(as_text=True)
    assert _entry(applicant).texts == {"s1": "Short plan.", "s2": "Because of the platforms."}
    refused = _post(client, applicant, "send", {"text_s1": long_text, "confirm": "y"})
    text = refused.get_data(as_text=True)
    assert "Research programme within 30 words (now 35)" in text
    assert _entry(applicant).progress is StageProgress.OPEN
    assert _entry(applicant).texts["s1"] == long_text

    # Required and empty is missing; within the limit the part goes.
    refused = _post(client, applicant, "send", {"text_s1": "", "confirm": "y"})
    assert "Still missing: Research programme." in refused.get_data(as_text=True)
    sent = _post(client, applicant, "send", {"text_s1": "A plan of twelve words on circuits "
                                             "of memory across five years.", "confirm": "y"})
    assert "Your part of this stage was received" in sent.get_data(as_text=True)
    entry = _entry(applicant)
    assert entry.progress is StageProgress.SUBMITTED and entry.texts["s1"].startswith("A plan")

    # Sent: read only, a late save is refused and changes nothing.
    page = client.get(f"/applications/{applicant.id}").get_data(as_text=True)
    assert 'name="text_s1"' not in page and "A plan of twelve words" in page
    late = _post(client, applicant, "texts", {"text_s1": "Changed after sending."},
                 page_url=f"/applications/{applicant.id}/status")
    assert "already sent" in late.get_data(as_text=True)
    assert _entry(applicant).texts["s1"].startswith("A plan")

    # The applicant's data export has the texts.
    export = client.get("/account/my-data.zip")
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        everything = " ".join(json.dumps(json.loads(archive.read(name)))
                              for name in archive.namelist() if name.endswith(".json"))
    assert "A plan of twelve words" in everything

    # The board and HR read them, with their titles, at the stage and after.
    member = staged.members[0]
    auth.login(member)
    dossier = client.get(f"/review/applications/{applicant.id}").get_data(as_text=True)
    assert "Texts of stage 2" in dossier and "A plan of twelve words" in dossier
    assert "Because of the platforms." in dossier
    pdf = client.get(f"/review/applications/{applicant.id}/dossier.pdf")
    assert pdf.status_code == 200, pdf.status_code
    from pypdf import PdfReader

    cover = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Texts of stage 2" in cover and "A plan of twelve words" in cover
    auth.login(staged.hr)
    hr_page = client.get(f"/admin/applications/{applicant.id}").get_data(as_text=True)
    assert "Research programme" in hr_page and "A plan of twelve words" in hr_page


def test_a_section_removed_after_applicants_wrote_keeps_their_text(client, auth, staged):
    apps = staged.applications
    factories.open_stage_two(client, staged, apps[:3])
    auth.login(apps[0].applicant)
    _post(client, apps[0], "texts", {"text_s1": "Mon programme.", "text_s2": "Parce que."})
    auth.login(staged.hr)
    fewer = {**SECTIONS, "sections-0-key": "s1", "sections-1-title_en": "",
             "sections-1-title_fr": "", "confirm_change": "y"}
    assert post_form(client, f"/stages/calls/{staged.call.id}/2",
                     factories.stage_two_form(**fewer)).status_code == 302
    assert _entry(apps[0]).texts == {"s1": "Mon programme.", "s2": "Parce que."}
    hr_page = client.get(f"/admin/applications/{apps[0].id}").get_data(as_text=True)
    assert "Parce que." in hr_page
