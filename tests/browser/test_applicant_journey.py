"""The applicant's whole journey in a real browser, in English and in French: register,
confirm the e-mail, fill the application, upload PDFs, invite a referee who uploads a
letter through the mailed link, submit, and receive the receipt."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.applications.factories import make_call, make_pdf
from tests.support import SmtpSink

pytestmark = [pytest.mark.services, pytest.mark.browser]

TEXT = {
    "en": {"language": None, "create": "Create the account", "sign_in": "Sign in",
           "start": "Start my application", "save": "Save the draft",
           "request": "Send the request", "submit": "Submit my application",
           "received": "Received"},
    "fr": {"language": "Français", "create": "Créer le compte", "sign_in": "Se connecter",
           "start": "Commencer ma candidature", "save": "Enregistrer le brouillon",
           "request": "Envoyer la demande", "submit": "Déposer ma candidature",
           "received": "Reçue"},
}


def _wait_for_mail(mail, address, count=1, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mail.to(address)) >= count:
            return mail.to(address)[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail reached {address}")


def _link(message) -> str:
    return re.findall(r"https?://\S+", SmtpSink.text_of(message))[-1]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_applicant_applies_with_a_referee_letter(journey, live_server, mail, tmp_path, lang):
    t = TEXT[lang]
    with live_server.app_context():
        call = make_call(slug=f"team-leaders-{lang}", referees_required=1)
        slug = call.slug
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(make_pdf(pages=2))
    page = journey.goto("/register")
    if t["language"]:
        page.get_by_role("button", name=t["language"]).click()
    address = f"lina.{lang}@example.org"
    page.locator("#name").fill("Lina Haddad")
    page.locator("#email").fill(address)
    page.locator("#password").fill("a-good-secret-2027")
    page.locator("#confirm").fill("a-good-secret-2027")
    page.locator("#consent").check()
    page.get_by_role("button", name=t["create"]).click()
    page.goto(_link(_wait_for_mail(mail, address)))
    page.locator("#email").fill(address)
    page.locator("#password").fill("a-good-secret-2027")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=t["sign_in"]).click()

    page.goto(journey.base_url + f"/calls/{slug}")
    journey.step("call")
    page.get_by_role("button", name=t["start"]).click()
    page.locator("#current_position").fill("Group leader")
    page.locator("#institution").fill("Florey Institute of Neuroscience")
    page.locator("#country").select_option("AU")
    page.locator("#phd_year").fill("2014")
    page.locator("#title").fill("Spinal circuits of locomotion")
    page.locator("#keywords").fill("spinal cord, motor neurons, zebrafish")
    page.locator("#summary").fill("We map the spinal circuits that drive locomotion. " * 4)
    page.locator("#publications").fill("Haddad L. et al. Neuron 2023.")
    page.get_by_role("button", name=t["save"]).click()
    journey.step("draft-saved")
    for kind in ("cv", "research_project", "publications"):
        page.locator(f"#file-{kind}").set_input_files(str(pdf))
        page.locator(f"#document-{kind} button[name=kind]").click()
        # The box is swapped in with the stored file's name once the upload is done (the
        # page's load state says nothing about a request htmx sends later).
        expect(page.locator(f"#document-{kind} p a")).to_have_text(pdf.name)
    journey.step("documents")
    page.locator("#referee-name").fill("Prof. Ada Referee")
    page.locator("#referee-email").fill(f"referee.{lang}@example.org")
    page.locator("#referee-institution").fill("UCL Queen Square Institute of Neurology")
    page.get_by_role("button", name=t["request"]).click()
    page.wait_for_load_state("networkidle")
    journey.step("referee-invited")

    # The referee, with no account, opens the mailed link in another browser context.
    referee_page = page.context.browser.new_page()
    referee_page.goto(_link(_wait_for_mail(mail, f"referee.{lang}@example.org")))
    assert "Lina Haddad" in referee_page.content()
    referee_page.locator("#letter-file").set_input_files(str(pdf))
    referee_page.locator("form:has(#letter-file) button[type=submit]").click()
    expect(referee_page.locator("#letter-file")).to_have_count(0)  # the letter was taken
    referee_page.close()

    page.reload()
    assert t["received"] in page.content()
    page.locator("#confirm").check()
    page.locator("#consent").check()
    page.get_by_role("button", name=t["submit"]).click()
    journey.step("submitted")
    receipt = _wait_for_mail(mail, address, count=2)
    assert re.search(r"ICM-\d{4}-\d{4}", receipt["Subject"] + SmtpSink.text_of(receipt))
    journey.assert_accessible()


def test_a_file_over_the_limit_is_refused_before_sending(journey, live_server):
    from icm_recruit.auth.models import Role
    from tests.support import PASSWORD, make_user

    with live_server.app_context():
        call = make_call(slug="size-limit")
        make_user("big.file@example.org", Role.APPLICANT)
        slug = call.slug
    page = journey.goto("/login")
    page.locator("#email").fill("big.file@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(journey.base_url + f"/calls/{slug}")
    page.get_by_role("button", name="Start my application").click()
    page.locator("#title").fill("Typed before choosing a file")
    limit = int(page.locator("#file-cv").get_attribute("data-max-bytes"))
    page.locator("#file-cv").set_input_files({"name": "huge.pdf", "mimeType": "application/pdf",
                                              "buffer": b"%PDF-1.4\n" + b"0" * (limit + 1)})
    alert = page.locator("#file-cv-size")
    assert alert.is_visible() and "larger than" in alert.inner_text()
    assert page.locator("#file-cv").evaluate("input => input.files.length") == 0
    assert page.locator("#title").input_value() == "Typed before choosing a file"
    journey.step("file-too-large")
    journey.assert_accessible()
