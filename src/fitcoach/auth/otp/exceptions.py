from fitcoach.core.errors import BadRequest, TooManyRequests


class InvalidOtp(BadRequest):
    message = "Invalid OTP"
    # A wrong guess must be counted even though the request fails.
    commit_on_raise = True


class OtpExpired(BadRequest):
    message = "OTP has expired"


class OtpAttemptsExceeded(TooManyRequests):
    message = "Maximum OTP attempts exceeded"


class OtpResendTooSoon(TooManyRequests):
    message = "Please wait before requesting a new OTP"


class OtpDailyLimitReached(TooManyRequests):
    message = "Too many OTP requests for this phone number today, please try again later"
