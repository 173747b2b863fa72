from fitcoach.core.errors import Conflict, Forbidden, NotFound, Unprocessable


class ThreadNotFound(NotFound):
    message = "Thread not found"


class MessageNotFound(NotFound):
    message = "Message not found"


class RecipientNotFound(NotFound):
    message = "recipientId is not someone you may message"


class RecipientUnavailable(Forbidden):
    message = "This person's account is blocked: they cannot receive messages"


class RecipientNotInThread(Unprocessable):
    message = "recipientId must be another participant of the thread"


class UnknownAttachment(Unprocessable):
    message = "attachments must be ids of files you uploaded and that passed their scan"


class NotYourMessage(Forbidden):
    message = "Only its sender may change or delete a message"


class EditWindowClosed(Conflict):
    message = "This message is too old to be changed or deleted"


class MessageDeleted(Conflict):
    message = "This message was deleted"


class EmptyMessage(Unprocessable):
    message = "body must not be empty unless the message carries attachments"


class ThreadClosed(Conflict):
    message = "This thread takes no new messages: its session was canceled"
