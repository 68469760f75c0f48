"""The shortlist, stage and decision texts: HR sets them once for every call, and a call
may still have its own; each through HTTP, in both languages."""

import pytest
from sqlalchemy import select

from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.mailtexts import MailText
from icm_recruit.extensions import db
from icm_recruit.selection import operations as ops
from icm_recruit.selection import shortlist
from icm_recruit.selection.models import Outcome, ShortlistOutcome
from tests.selection.factories import quick_user, selection_call
from tests.support import csrf_from, post_form

pytestmark = pytest.mark.services

ALL_CALLS = "/admin/mail-texts/selection_decision_letter/for-all-calls/offer/fr"
OFFER = {"subject": "Proposition : {reference}",
         "body": "Bonjour {name},\n\nL’Institut du Cerveau vous fait une proposition.\n\n"
                 "{feedback}", "action": "save"}


@pytest.fixture
def hr(ctx):
    return quick_user("hr@example.org", Role.ADMIN, name="Hélène RH")


def test_the_kind_page_links_each_outcome_in_both_languages(client, auth, hr):
    auth.login(hr)
    page = client.get("/admin/mail-texts/selection_shortlist_outcome").get_data(as_text=True)
    assert 'id="for-all-calls"' in page
    for outcome in ShortlistOutcome:
        for locale in ("en", "fr"):
            assert (f"/admin/mail-texts/selection_shortlist_outcome/for-all-calls/"
                    f"{outcome.value}/{locale}") in page
    assert client.get("/admin/mail-texts/stages_outcome").status_code == 200
    assert client.get("/admin/mail-texts/selection_decision_letter/for-all-calls/nope/fr"
                      ).status_code == 404


def test_a_text_for_all_calls_is_used_by_every_call_without_its_own(client, auth, hr):
    first, second = selection_call(slug="first"), selection_call(slug="second")
    auth.login(hr)
    page = client.get(ALL_CALLS).get_data(as_text=True)
    assert "Bonjour {name}" in page  # the default, in French
    bad = post_form(client, ALL_CALLS, {**OFFER, "body": "Bonjour {nom}"})
    assert bad.status_code == 422 and "{nom}" in bad.get_data(as_text=True)
    preview = post_form(client, ALL_CALLS, {**OFFER, "action": "preview"})
    assert "Proposition : ICM-0000-0000" in preview.get_data(as_text=True)
    assert db.session.scalar(select(MailText)) is None
    assert post_form(client, ALL_CALLS, OFFER).status_code == 302
    for call in (first, second):
        assert ops.template_for(call, Outcome.OFFER, "fr").subject == OFFER["subject"]
        assert ops.template_for(call, Outcome.OFFER, "en").subject != OFFER["subject"]
    own = f"/selection/calls/{second.id}/letters/offer/fr"
    page = client.get(own).get_data(as_text=True)
    assert "uses the text set for all calls" in page
    assert "L’Institut du Cerveau vous fait une proposition." in page
    assert post_form(client, own, {**OFFER, "subject": "Pour cet appel : {reference}"}
                     ).status_code == 302
    assert ops.template_for(second, Outcome.OFFER, "fr").subject == \
        "Pour cet appel : {reference}"
    assert ops.template_for(first, Outcome.OFFER, "fr").subject == OFFER["subject"]
    assert "has its own text" in client.get(own).get_data(as_text=True)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "letter_template.saved")).first()
    assert event.object_type == "mail_kind" and event.data["for_all_calls"] is True


def test_restoring_the_default_for_all_calls_asks_first_and_keeps_call_texts(client, auth,
                                                                             hr):
    call, other = selection_call(slug="own"), selection_call(slug="other")
    auth.login(hr)
    post_form(client, ALL_CALLS, OFFER)
    post_form(client, f"/selection/calls/{call.id}/letters/offer/fr",
              {**OFFER, "subject": "Pour cet appel : {reference}"})
    token = csrf_from(client.get(ALL_CALLS).get_data(as_text=True))
    asked = client.post(ALL_CALLS, data={"csrf_token": token, "action": "reset"})
    assert asked.status_code == 200 and "Calls with their own text keep it." in \
        asked.get_data(as_text=True)
    assert ops.template_for(other, Outcome.OFFER, "fr").subject == OFFER["subject"]
    done = client.post(ALL_CALLS, data={"csrf_token": token, "action": "reset",
                                        "confirm": "y"})
    assert done.status_code == 302
    assert ops.template_for(other, Outcome.OFFER, "fr").subject == \
        ops.letters.DEFAULTS[("offer", "fr")].subject
    assert ops.template_for(call, Outcome.OFFER, "fr").subject == \
        "Pour cet appel : {reference}"


def test_the_shortlist_outcome_text_for_all_calls(client, auth, hr):
    call = selection_call(slug="shortlist")
    auth.login(hr)
    url = "/admin/mail-texts/selection_shortlist_outcome/for-all-calls/rejected/en"
    assert post_form(client, url, {"subject": "About {reference}", "action": "save",
                                   "body": "Dear {name}, thank you."}).status_code == 302
    assert shortlist.template_for(call, ShortlistOutcome.REJECTED, "en").body == \
        "Dear {name}, thank you."


def test_only_hr_sets_the_texts_for_all_calls(client, auth, ctx):
    chair = quick_user("chair@example.org", Role.REVIEWER, Role.CHAIR)
    auth.login(chair)
    assert client.get(ALL_CALLS).status_code in (302, 403)


def test_the_kind_page_previews_each_language_in_that_language(client, auth, hr):
    auth.login(hr)
    for kind in ("selection_shortlist_outcome", "stages_outcome", "selection_decision_letter"):
        page = client.get(f"/admin/mail-texts/{kind}").get_data(as_text=True)
        assert "Thank you for applying." not in page.split('lang="fr"', 2)[-1], kind
        assert "Bonjour" in page and "Dear" in page, kind
    post_form(client, "/admin/mail-texts/selection_shortlist_outcome/for-all-calls/"
              "shortlisted/fr", {"subject": "Entretien : {reference}", "action": "save",
                                  "body": "Bonjour {name}, à bientôt à l’Institut du Cerveau."})
    page = client.get("/admin/mail-texts/selection_shortlist_outcome").get_data(as_text=True)
    assert "à bientôt à l’Institut du Cerveau." in page
