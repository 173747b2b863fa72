"""What support tickets refuse."""

from fitcoach.core.errors import Conflict, NotFound, Unprocessable


class TicketNotFound(NotFound):
    message = "Support ticket not found"


class TicketStatusChangeRefused(Conflict):
    message = "This ticket cannot move to that status from its current one"


class TicketClosed(Conflict):
    message = "This ticket is closed: open a new one"


class UnknownTicketAttachment(Unprocessable):
    message = (
        "attachments must be ids of files you uploaded, that passed their scan and are not sent yet"
    )
