"""Exceptions raised by the library. Each message is one sentence a user can act on."""


class PlagcheckError(Exception):
    """Base class of every error plagcheck raises on purpose."""


class ExtractionError(PlagcheckError):
    """A file could not be turned into text: encrypted, corrupt, empty, scanned or unsupported.

    ``str(error)`` is ``"<path>: <reason>"``, ready for a one-line message.
    """

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StoreError(PlagcheckError):
    """The corpus database is missing, locked, or was built with other parameters."""


class ServiceError(PlagcheckError):
    """The check service cannot be reached, refused a request, or failed on it."""
