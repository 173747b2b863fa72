from fitcoach.core.errors import Conflict, Forbidden, NotFound, Unprocessable


class CommunityNotFound(NotFound):
    message = "Community not found"


class PostNotFound(NotFound):
    message = "Post not found"


class NotACommunityMember(Forbidden):
    message = "Join this community before posting, commenting or reacting in it"


class NotEligibleToJoin(Forbidden):
    message = "This community is for customers with a paid subscription to its program"


class ModeratorsOnly(Forbidden):
    message = "Only this community's coach and admins may moderate it"


class FlaggedForModeratorsOnly(Forbidden):
    message = "filter=flagged is for this community's coach and admins"


class AlreadyReported(Conflict):
    message = "You have already reported this post"


class PostNotOpen(Conflict):
    message = "This post is awaiting review or hidden: it takes no comments, reactions or reports"


class ProgramNotFound(NotFound):
    message = "productId is not a program in the catalog"


class CommunityExists(Conflict):
    message = "This program already has a community"


class CommentNotAllowed(Unprocessable):
    message = "The comment contains words or links this community does not allow"


class CustomersOnly(Forbidden):
    message = "Only customers join communities; coaches and admins moderate them"


class UnknownAttachment(Unprocessable):
    message = "attachments must be ids of files you uploaded, that passed their scan and are unused"
