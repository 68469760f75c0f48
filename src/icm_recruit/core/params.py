"""Numbers read from query strings and raw form fields, within what the database holds.

Ids and other integer columns are 32-bit INTEGERs. Used as werkzeug's `type=`: a value
that is not a number, or does not fit, raises ValueError, so
`request.args.get(name, default, type=int32)` gives the default.
"""

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MAX_PAGE = 1_000_000


def int32(value: str) -> int:
    number = int(value)
    if not INT32_MIN <= number <= INT32_MAX:
        raise ValueError("out of the range of an integer column")
    return number


def page_number(value: str) -> int:
    """A page number, 1 at least; past the last page the listing is simply empty."""
    return min(max(int(value), 1), MAX_PAGE)


def int32_list(values) -> set[int]:
    """The valid ids among raw form values, the others dropped."""
    ids = set()
    for value in values:
        try:
            ids.add(int32(value))
        except ValueError:
            continue
    return ids
