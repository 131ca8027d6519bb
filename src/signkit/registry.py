"""Name -> object registries filled by decorators, so configs can refer to entries by name.

A registry given a ``package`` finds its own entries: on the first lookup it imports every module
of that package (each registers what it defines), so a new entry is one new file there and no
list of imports is kept by hand (mmaction2's ``locations``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar, get_type_hints

from pydantic import ConfigDict, TypeAdapter, ValidationError

from signkit.errors import ConfigError

T = TypeVar("T")

# Type hints such as ``np.ndarray`` have no pydantic schema: check them with isinstance.
_ANY_TYPE = ConfigDict(arbitrary_types_allowed=True)


class Registry(Generic[T]):
    """A dict of named entries with a ``register`` decorator and helpful lookup errors."""

    def __init__(self, kind: str, package: str | None = None):
        self.kind = kind
        self.package = package
        self._entries: dict[str, T] = {}
        self._found = package is None

    def _find(self) -> None:
        """Import the modules of ``package`` (once), which register their entries."""
        if self._found:
            return
        self._found = True
        root = importlib.import_module(self.package)
        for module in pkgutil.iter_modules(root.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{self.package}.{module.name}")

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = obj
            return obj

        return decorator

    def get(self, name: str) -> T:
        self._find()
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries))
            raise ConfigError(f"unknown {self.kind} {name!r}; known: {known}") from None

    def __contains__(self, name: object) -> bool:
        self._find()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        self._find()
        return iter(sorted(self._entries))

    def items(self) -> list[tuple[str, T]]:
        self._find()
        return sorted(self._entries.items())

    def check(self, name: str, params: Mapping[str, Any], fixed: tuple[str, ...] = ()) -> dict[str, Any]:
        """``params`` given by a user for entry ``name``, validated against its type hints.

        Values are converted by pydantic's lax rules (``"5"`` -> 5 for an ``int``), so a wrong
        name or value is reported at config time, naming the entry and the parameter, rather
        than as a numpy or torch error deep inside the first call. ``fixed``: parameters the
        code passes itself, which a user may not set.
        """
        entry = self.get(name)
        kinds = {p.name: p.kind for p in inspect.signature(entry).parameters.values()}
        star = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        takes = [p for p, kind in kinds.items() if p not in fixed and kind not in star]
        open_ended = inspect.Parameter.VAR_KEYWORD in kinds.values()  # e.g. **kw passed to sklearn
        hints = get_type_hints(entry.__init__ if inspect.isclass(entry) else entry)
        checked = {}
        for key, value in params.items():
            if key in fixed or (key not in takes and not open_ended):
                raise ConfigError(f"{self.kind} {name!r} has no parameter {key!r}; "
                                  f"it takes {', '.join(takes) or 'none'}")
            if key not in hints:
                checked[key] = value
                continue
            try:
                checked[key] = TypeAdapter(hints[key], config=_ANY_TYPE).validate_python(value)
            except ValidationError as exc:
                raise ConfigError(f"{self.kind} {name!r}: {key}={value!r}: "
                                  f"{exc.errors()[0]['msg']}") from None
        return checked

    def create(self, name: str, params: Mapping[str, Any] | None = None, **fixed: Any) -> T:
        """Call entry ``name`` with ``fixed`` (from the code) and the checked user ``params``."""
        return self.get(name)(**fixed, **self.check(name, params or {}, tuple(fixed)))

