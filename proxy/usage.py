"""The one kind of error the CLI prints as a single line."""


class UsageError(Exception):
    """A problem the user can fix (bad flag, port in use, missing cassette)."""
