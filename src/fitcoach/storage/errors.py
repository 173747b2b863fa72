from fitcoach.core.errors import ServiceUnavailable


class StorageUnavailable(ServiceUnavailable):
    message = "File storage is unavailable; please try again shortly"
