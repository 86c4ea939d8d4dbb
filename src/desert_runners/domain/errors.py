"""The one error type a person can cause and fix: shown as one line, exit code 1."""


class UserError(Exception):
    """A mistake in what a person asked for or gave us (a file, a bib, a time)."""
