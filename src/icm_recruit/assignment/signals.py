"""What the assignment announces; the features above listen in their own modules.

Senders pass plain ids so listeners load what they need; every receiver runs inside the
sender's transaction, so a reaction and its cause are committed (or rolled back) together.
"""

from blinker import Namespace

_signals = Namespace()

#: A member declined an assignment (its reason is on it): sent with `assignment_id` and
#: `by` (the member).
assignment_declined = _signals.signal("assignment-declined")
