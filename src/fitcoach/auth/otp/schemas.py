from fitcoach.http.envelope import ApiModel


class OtpCheckOut(ApiModel):
    is_valid: bool
