from collections.abc import Iterable

from fitcoach.core.errors import Conflict, NotFound, Unprocessable


class ConsentRequired(Conflict):
    message = "Consent is required to continue"


class NoCurrentQuestionnaire(NotFound):
    message = "No questionnaire is available"


class UnknownQuestionnaireVersion(Unprocessable):
    def __init__(self, version: int) -> None:
        super().__init__(f"Unknown questionnaire version {version}")


class RetiredQuestionnaireVersion(Unprocessable):
    def __init__(self, version: int, current: int) -> None:
        super().__init__(
            f"Questionnaire version {version} is retired; answer version {current} instead"
        )


class UnknownAnswers(Unprocessable):
    """Names every unknown key, so a client fixes them all at once."""

    def __init__(self, kind: str, keys: Iterable[str]) -> None:
        super().__init__(f"Unknown {kind}: {', '.join(keys)}")


class InvalidPreferences(Unprocessable):
    def __init__(self, problems: Iterable[str]) -> None:
        super().__init__(f"Invalid preferences: {'; '.join(problems)}")


class ProfileRequired(Conflict):
    message = "Complete the onboarding questionnaire before changing preferences"


class QuestionnaireConflict(Conflict):
    message = "Another questionnaire version was created at the same time; try again"
