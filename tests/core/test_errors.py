"""Every error a user can cause says what went wrong in their language."""

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from icm_recruit.applications.operations import ApplicationError
from icm_recruit.assignment.operations import AssignmentError
from icm_recruit.auth.operations import AccountError
from icm_recruit.auth.twofactor import TwoFactorError
from icm_recruit.board.operations import BoardError
from icm_recruit.calls.operations import CallError
from icm_recruit.core.errors import DomainError
from icm_recruit.core.storage import UploadError
from icm_recruit.core.tokens import TokenError
from icm_recruit.governance.personal_data import ErasureError
from icm_recruit.reviews.operations import ReviewError
from icm_recruit.selection.letters import TemplateError
from icm_recruit.selection.operations import SelectionError

pytestmark = pytest.mark.services


class GreetingError(DomainError):
    messages = {"hello": _l("Sign in"), "count": _l("The file is larger than %(mb)d MB.")}


@pytest.mark.parametrize("error_class", [
    AccountError, ApplicationError, AssignmentError, BoardError, CallError, ErasureError,
    ReviewError, SelectionError, TemplateError, TokenError, TwoFactorError, UploadError])
def test_every_feature_error_is_a_domain_error(error_class):
    assert issubclass(error_class, DomainError)


def test_message_is_in_the_current_language(app):
    with app.test_request_context():
        assert GreetingError("hello").message == "Sign in"
        with force_locale("fr"):
            assert GreetingError("hello").message == "Se connecter"


def test_details_fill_the_placeholders(app):
    with app.test_request_context():
        assert GreetingError("count", mb=5).message == "The file is larger than 5 MB."
        assert UploadError("too_many_pages", pages=12, max_pages=10).message == (
            "The file has 12 pages; at most 10 are allowed.")


def test_unknown_code_or_missing_detail_falls_back_to_a_generic_sentence(app):
    with app.test_request_context():
        assert GreetingError("nope").message == "This could not be done."
        assert GreetingError("count", other=1).message == "This could not be done."
        assert ApplicationError("nope").message == "This action is not possible now."
        assert ReviewError("nope").message == "This could not be done (nope)."
        with force_locale("fr"):
            assert GreetingError("nope").message != "This could not be done."


def test_feature_messages_keep_their_texts(app):
    with app.test_request_context():
        assert CallError("slug_taken").message == "Another call already uses this short name."
        assert SelectionError("not_shortlisted", reference="ICM-2027-0001").message == (
            "ICM-2027-0001 is not shortlisted.")
        assert TemplateError(unknown=["salary"]).message.startswith(
            "A letter template uses unknown placeholders: salary.")
        assert TemplateError(malformed=True).code == "template_malformed"
        assert AssignmentError("over_load", cap=4).message == (
            "This member has reached their maximum load (4).")
        assert TokenError("expired").reason == "expired"
