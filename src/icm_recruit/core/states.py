"""States that know their labels and their named groups.

A state enum subclasses `StateEnum`, declares its groups as `ClassVar` annotations in the
class body (members do not exist there yet), then fills them after the body:

    class AssignmentStatus(StateEnum):
        PROPOSED = "proposed"
        ...
        held: ClassVar[frozenset["AssignmentStatus"]]


    AssignmentStatus.define(
        labels={AssignmentStatus.PROPOSED: _l("Proposed"), ...},
        # Counts in a member's load.
        held={AssignmentStatus.PROPOSED, AssignmentStatus.ACTIVE, AssignmentStatus.DONE},
    )

`AssignmentStatus.held` is then a frozenset of members, usable in Python
(`status in AssignmentStatus.held`), in SQL (`Assignment.status.in_(AssignmentStatus.held)`)
and in templates, and `member.label` is its translated, lazy label.
"""

import enum
from collections.abc import Iterable, Mapping
from typing import Any, Self

from flask_babel.speaklater import LazyString


class StateEnum(enum.StrEnum):
    """A StrEnum whose members carry a label and whose class carries named groups."""

    @property
    def label(self) -> LazyString:
        """The member's translated label, resolved in the locale of the request."""
        return type(self).__dict__["__labels__"][self]

    @classmethod
    def define(cls, *, labels: Mapping[Self, LazyString] | None = None,
               **groups: Iterable[Self]) -> None:
        """Attach the labels and the named groups declared in the class body."""
        if labels is not None:
            missing = [m.name for m in cls if m not in labels]
            if missing:
                raise ValueError(f"{cls.__name__}: no label for {missing}")
            cls.__labels__ = dict(labels)
        declared = {name for name, hint in cls.__dict__.get("__annotations__", {}).items()
                    if "ClassVar" in str(hint)}
        for name, members in groups.items():
            if name not in declared:
                raise ValueError(f"{cls.__name__}.{name} is not declared as a ClassVar")
            group = frozenset(members)
            strays = [m for m in group if not isinstance(m, cls)]
            if strays:
                raise ValueError(f"{cls.__name__}.{name}: not members: {strays}")
            twin = next((other for other, g in cls.groups().items() if g == group), None)
            if twin is not None:
                raise ValueError(f"{cls.__name__}.{name} has the members of .{twin}")
            setattr(cls, name, group)

    @classmethod
    def groups(cls) -> dict[str, frozenset[Self]]:
        """The named groups defined so far, by name."""
        return {name: value for name, value in cls.__dict__.items()
                if isinstance(value, frozenset) and not name.startswith("_")}

    @classmethod
    def has_labels(cls) -> bool:
        return "__labels__" in cls.__dict__

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        """(value, label) pairs for a select field, in declaration order."""
        return [(m.value, m.label) for m in cls]
