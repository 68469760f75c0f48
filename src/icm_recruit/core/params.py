"""Numbers read from query strings and raw form fields, within what the database holds.

Used as werkzeug's `type=`: a value that is not a number, or is past 64 bits, raises
ValueError, so `request.args.get(name, default, type=int64)` gives the default.
"""

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_PAGE = 1_000_000


def int64(value: str) -> int:
    number = int(value)
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError("out of the 64-bit range")
    return number


def page_number(value: str) -> int:
    """A page number, 1 at least; past the last page the listing is simply empty."""
    return min(max(int64(value), 1), MAX_PAGE)


def int64_list(values) -> set[int]:
    """The valid ids among raw form values, the others dropped."""
    ids = set()
    for value in values:
        try:
            ids.add(int64(value))
        except ValueError:
            continue
    return ids
