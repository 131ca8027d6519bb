"""Import optional dependencies with a one-line install hint when they are missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from signkit.errors import MissingExtraError


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``pip install signkit[extra]``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(extra, module) from exc
