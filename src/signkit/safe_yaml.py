"""YAML that signkit reads from files others may send (recipes, a run's or an export's
``config.yaml``, ``--set`` and ``--preprocess`` values).

``yaml.safe_load`` already builds only plain data, but it expands aliases: a few hundred bytes
of nested ``&a [*b, *b, ...]`` become gigabytes once expanded and walked. Recipes never need
aliases, so they are refused, and a file is capped in size before it is parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from signkit.errors import ConfigError

MAX_BYTES = 1 << 20  # the largest shipped recipe is about 2 kB


class _NoAliases(yaml.SafeLoader):
    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.YAMLError(f"YAML aliases (*name) are not allowed (line {mark.line + 1})")
        return super().compose_node(parent, index)


def loads(text: str, source: str) -> Any:
    """Parse ``text``; any problem is a :class:`ConfigError` naming ``source``."""
    if len(text) > MAX_BYTES:
        raise ConfigError(f"{source}: larger than {MAX_BYTES // 1024} kB; not a recipe")
    try:
        return yaml.load(text, Loader=_NoAliases)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({' '.join(str(exc).split())[:300]})") from None


def read(path: str | Path) -> Any:
    """A YAML file, size-capped, UTF-8, without aliases; errors name the file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES // 1024} kB; not a recipe")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a text file (byte {exc.start} is not UTF-8)") from None
    return loads(text, str(path))
