"""The one family of errors a user can cause, each able to say what went wrong in their language.

A feature's error class names its codes and their message templates:

    class CallError(DomainError):
        messages = {"slug_taken": _l("Another call already uses this short name.")}

and a view shows `error.message`, whatever the feature.
"""

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from icm_recruit.core.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

GENERIC_MESSAGE = _l("This could not be done.")


class DomainError(Exception):
    """A refusal the user can understand: `code` says which, `details` fill its message."""

    # code -> lazy_gettext template with %(name)s placeholders taken from message_params(),
    # or a function of those values that returns the text (for ngettext's plural forms).
    messages: ClassVar[Mapping[str, Any]] = {}
    # What an unknown code says; it may show the code as %(code)s.
    fallback: ClassVar[Any] = GENERIC_MESSAGE

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details

    def message_params(self) -> Mapping[str, Any]:
        """Return the values of the placeholders; override to turn ids into names."""
        return self.details

    @property
    def message(self) -> str:
        """Return the message for the code in the current user's language."""
        template = self.messages.get(self.code)
        if template is None:
            return self._fallback()
        params = self.message_params()
        if callable(template):  # a message whose words follow a count (ngettext)
            try:
                return str(template(**params))
            except (KeyError, TypeError, ValueError):
                log.warning("cannot fill the message of %s(%r) with %r",
                            type(self).__name__, self.code, params)
                return self._fallback()
        text = str(template)
        if not params:
            return text
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            log.warning("cannot fill the message of %s(%r) with %r",
                        type(self).__name__, self.code, params)
            return self._fallback()

    def _fallback(self) -> str:
        return str(self.fallback) % {"code": self.code}
