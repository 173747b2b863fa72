from fitcoach.core.errors import NotFound


class ExerciseNotFound(NotFound):
    message = "Exercise not found"
