from fitcoach.core.errors import Conflict, NotFound


class UserNotFound(NotFound):
    message = "User not found"


class PhoneAlreadyRegistered(Conflict):
    message = "User with this phone number already exists"


class EmailAlreadyRegistered(Conflict):
    message = "User with this email already exists"
