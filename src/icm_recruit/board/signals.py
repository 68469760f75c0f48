"""What the board announces; assignment and selection listen in their own modules.

Senders pass plain ids so listeners load what they need; every receiver runs inside the
sender's transaction, so a reaction and its cause are committed (or rolled back) together.
"""

from blinker import Namespace

_signals = Namespace()

#: Pairs (reviewer id, application id) that a conflict now blocks, or no longer blocks.
#: Sent with `blocked=[...]`, `lifted=[...]` and `by` (the acting user, or None).
conflicts_changed = _signals.signal("conflicts-changed")

#: A member left the board: sent with `user_id` and `by`.
member_deactivated = _signals.signal("member-deactivated")

#: HR is about to deactivate a member: sent with `user_id`; each receiver returns the
#: lines that say what deactivating would do in its feature, in the reader's language.
deactivation_consequences = _signals.signal("deactivation-consequences")
