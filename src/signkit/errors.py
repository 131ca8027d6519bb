"""Errors a user can cause. The CLI prints their message on one line and exits non-zero."""

from __future__ import annotations

from pathlib import Path


class SignkitError(Exception):
    """Base class for every error caused by user input (files, options, missing extras)."""

    exit_code = 1


class PoseFileError(SignkitError):
    """A file could not be read or written as a pose; the message names the file and why."""

    def __init__(self, path: str | Path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class MissingExtraError(SignkitError):
    """An optional dependency group is not installed."""

    def __init__(self, extra: str, module: str):
        super().__init__(
            f"this needs the '{extra}' extra ({module} is not installed): "
            f"pip install 'signkit[{extra}]'"
        )


class ConfigError(SignkitError):
    """A name, option or value given by the user is not valid."""
