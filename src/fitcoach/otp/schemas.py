from fitcoach.kit.envelope import ApiModel


class OtpCheckOut(ApiModel):
    is_valid: bool
