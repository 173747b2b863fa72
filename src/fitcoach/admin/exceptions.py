from fitcoach.kit.errors import Unprocessable


class CannotBlockSelf(Unprocessable):
    message = "You cannot block your own account"
