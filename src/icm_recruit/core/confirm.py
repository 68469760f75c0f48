"""The confirmation step of a destructive or mail-sending action.

A first POST shows what will happen (who loses what, who gets a mail); the page posts the
same form again with confirm=y, and only then does the view act.
"""

from flask import render_template, request

from icm_recruit.core.forms import AppForm


def confirmed() -> bool:
    """Whether the POST comes from the confirmation page."""
    return request.form.get("confirm") == "y"


def confirm_page(*, heading: str, lines: list[str], action: str, button: str, back: str,
                 title: str = "", gentle: bool = False, hidden: list[tuple[str, str]] = ()):
    """Render the page that says what the action will do, with its confirm button."""
    return render_template("confirm.html", heading=heading, lines=lines, action=action,
                           button=button, back=back, title=title, gentle=gentle,
                           hidden=list(hidden), plain=AppForm())
