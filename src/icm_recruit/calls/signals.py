"""What the calls feature asks and announces; applications answers and reacts.

Receivers run inside the sender's transaction, so a reaction (an e-mail in the outbox) is
committed or rolled back with the change that caused it.
"""

from blinker import Namespace

_signals = Namespace()

#: Who a change of the call's deadline concerns. Sent with the call and `now`; each receiver
#: returns a dict of counts that is added into `calls.lifecycle.Audience`.
call_audience = _signals.signal("call-audience")

#: The call closed early, reopened or got a later deadline. Sent with the call and `action`
#: ("closed_early", "reopened", "extended"), `event_id` (its audit event), `previous` (the former
#: deadline), `reason`, `by`.
call_deadline_changed = _signals.signal("call-deadline-changed")
