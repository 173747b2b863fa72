from fitcoach.core.errors import BadRequest, Conflict, TooManyRequests, Unauthorized


class MfaAlreadyEnabled(Conflict):
    message = "MFA is already enabled"


class MfaNotEnabled(Conflict):
    message = "MFA is not enabled"


class MfaSetupNotStarted(Conflict):
    message = "Start MFA setup first"


class InvalidMfaCode(BadRequest):
    message = "Invalid MFA code"
    # A wrong guess must be counted even though the request fails.
    commit_on_raise = True


class InvalidRecoveryCode(BadRequest):
    message = "Invalid recovery code"
    commit_on_raise = True


class InvalidMfaToken(Unauthorized):
    message = "Invalid or expired MFA token"


class MfaAttemptsExceeded(TooManyRequests):
    message = "Maximum MFA attempts exceeded"
