from fitcoach.kit.errors import Unprocessable


class CannotBlockSelf(Unprocessable):
    message = "You cannot block your own account"


class CannotRemoveOwnAdminRole(Unprocessable):
    message = "You cannot remove your own admin role"
