"""fitcoach: the API backend for fitness coaching businesses."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fitcoach")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
