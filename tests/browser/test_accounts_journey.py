"""Account journeys in a real browser, in English and in French."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.services, pytest.mark.browser]

TEXT = {
    "en": {"create": "Create the account", "sign_in": "Sign in", "welcome": "Welcome, ",
           "confirmed": "Your e-mail address is confirmed", "switch": "English"},
    "fr": {"create": "Créer le compte", "sign_in": "Se connecter", "welcome": "Bienvenue, ",
           "confirmed": "Votre adresse e-mail est confirmée", "switch": "Français"},
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_applicant_registers_verifies_and_signs_in(journey, mail, lang):
    t = TEXT[lang]
    page = journey.goto("/register")
    if lang == "fr":
        page.get_by_role("button", name="Français").click()
    journey.step("register-form")
    address = f"amina.{lang}@example.org"
    page.get_by_label("Nom complet" if lang == "fr" else "Full name").fill("Amina Diallo")
    page.locator("#email").fill(address)
    page.locator("#password").fill("a-good-secret-2027")
    page.locator("#confirm").fill("a-good-secret-2027")
    page.locator("#consent").check()
    page.get_by_role("button", name=t["create"]).click()
    journey.step("check-your-mail")
    link = _wait_for_link(mail, address)
    page.goto(link)
    expect(page.locator("body")).to_contain_text(t["confirmed"])
    journey.step("confirmed")
    page.locator("#email").fill(address)
    page.locator("#password").fill("a-good-secret-2027")
    page.locator("main").get_by_role("button", name=t["sign_in"]).click()
    expect(page.locator("body")).to_contain_text(t["welcome"] + "Amina Diallo")
    journey.step("home")
    journey.assert_accessible()


def test_registration_form_works_with_the_keyboard_alone(journey, mail):
    page = journey.goto("/register")
    page.locator("#name").focus()
    page.keyboard.type("Keyboard User")
    for value in ["keys@example.org", "only-keys-2027", "only-keys-2027"]:
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") != "INPUT":
            page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Tab")  # language select
    page.keyboard.press("Tab")  # privacy notice summary
    page.keyboard.press("Tab")  # consent checkbox
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/verify$"))
    assert _wait_for_link(mail, "keys@example.org")


def test_errors_are_announced_next_to_fields(journey):
    page = journey.goto("/register")
    page.locator("#name").fill("Someone")
    page.get_by_role("button", name="Create the account").click()
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby")
    assert "email-errors" in described
    assert page.locator("#email-errors").is_visible()
    assert page.locator("#name").input_value() == "Someone"
    journey.step("errors")
    journey.assert_accessible()


@pytest.mark.parametrize("journey", [375], indirect=True)
def test_pages_fit_a_phone_screen(journey):
    for path in ["/", "/login", "/register", "/password/forgot"]:
        page = journey.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways ({width}px)"
        journey.step(path.strip("/").replace("/", "-") or "home")
    journey.assert_accessible()


def _wait_for_link(mail, address, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if mail.to(address):
            return mail.last_link(address)
        time.sleep(0.1)
    raise AssertionError(f"no mail reached {address}")
