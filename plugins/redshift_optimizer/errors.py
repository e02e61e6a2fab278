"""Errors a user can act on. Each message names the setting, connection or input at fault."""


class OptimizerError(Exception):
    """Base of the product's errors: the message is meant for the user, without a traceback."""


class NotRetryable(OptimizerError):
    """An error that retrying the same task cannot fix: tasks fail at once on it."""


class ConfigurationError(NotRetryable):
    """A setting, connection or resource is missing or wrong."""


class WarehouseError(OptimizerError):
    """The warehouse could not be reached or refused a statement."""


class LakeError(OptimizerError):
    """The metadata lake (S3) could not be read or written."""
