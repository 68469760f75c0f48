"""The board meeting: agenda, live pointer, out-of-room rule, minutes, evaluation reports."""
