"""What the selection announces as a letter goes to an applicant; later features answer.

Receivers run inside the sender's transaction, so what they change (a report marked sent)
is committed or rolled back with the letter's outbox row.
"""

from blinker import Namespace

_signals = Namespace()

#: A letter is about to be queued for an application's applicant: a decision letter or the
#: outcome of a stage. Sent with the application and `by` (the sender); each receiver returns
#: a text to add under the letter in the applicant's language (the board's evaluation
#: report), or None.
letter_going_out = _signals.signal("letter-going-out")


def letter_additions(application, *, by) -> list[str]:
    """The texts the receivers add to a letter to this application's applicant."""
    return [text for _receiver, text in letter_going_out.send(application, by=by) if text]


def with_additions(body: str, application, *, by) -> str:
    """The letter's body followed by what the receivers add, one blank line apart."""
    return "\n\n".join([body, *letter_additions(application, by=by)])
