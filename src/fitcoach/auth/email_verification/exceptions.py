from fitcoach.core.errors import BadRequest, TooManyRequests


class InvalidEmailCode(BadRequest):
    message = "Invalid verification code"
    # A wrong guess must be counted even though the request fails.
    commit_on_raise = True


class EmailCodeExpired(BadRequest):
    message = "Verification code has expired"


class EmailCodeAttemptsExceeded(TooManyRequests):
    message = "Maximum verification attempts exceeded"


class EmailCodeResendTooSoon(TooManyRequests):
    message = "Please wait before requesting a new code"
