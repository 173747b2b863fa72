"""Why a substitution is refused: each names the rule."""

from collections.abc import Iterable

from fitcoach.core.errors import Conflict, NotFound, Unprocessable


class NotInLibrary(Unprocessable):
    message = "This item's exercise is not in the exercise library, so it has no alternatives"


class NotAnAlternative(Unprocessable):
    message = (
        "Not an alternative: the exercise must be one of the item's alternatives in the library "
        "(a variation, or the same movement pattern on a shared muscle)"
    )


class Contraindicated(Unprocessable):
    def __init__(self, flags: Iterable[str]) -> None:
        super().__init__(
            "Contraindicated: the alternative is unsafe with your health flags: "
            + ", ".join(sorted(flags))
        )


class EquipmentMissing(Unprocessable):
    def __init__(self, needed: Iterable[str]) -> None:
        super().__init__(
            "Equipment: the alternative needs equipment you do not have: "
            + ", ".join(sorted(needed))
        )


class SubstitutionNotFound(NotFound):
    message = "Substitution not found"


class SubstitutionConflict(Conflict):
    message = "The item was substituted at the same moment by another request; try again"
