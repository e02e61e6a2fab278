"""Errors a user can act on. Each message names the setting, connection or input at fault."""


class OptimizerError(Exception):
    """Base of the product's errors: the message is meant for the user, without a traceback."""


class NotRetryable(OptimizerError):
    """An error that retrying the same task cannot fix: tasks fail at once on it."""


class ConfigurationError(NotRetryable):
    """A setting, connection or resource is missing or wrong."""


class WarehouseError(OptimizerError):
    """The warehouse could not be reached or refused a statement.

    ``failure`` (a ``warehouse.errors.WarehouseFailure``) describes it without the
    warehouse's own text: its class, SQLSTATE and the missing grant. Store and show that,
    never ``str(error)``, where the statement was a caller's SQL (the text echoes values)."""

    def __init__(self, message: str, failure: object | None = None):
        super().__init__(message)
        self.failure = failure

    def summary(self) -> str:
        """The error's class, SQLSTATE and missing grant: no text of the warehouse's."""
        return self.failure.summary() if self.failure is not None else "other error"


class LakeError(OptimizerError):
    """The metadata lake (S3) could not be read or written."""
