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


class WorkerEnvironmentError(PlagcheckError):
    """The worker cannot go on for a reason that is not the thesis' fault (its reports folder
    cannot be written, the disk is full): the job is given back and the worker stops."""
