"""``synthetic:SIGNERSxREPETITIONS[xSEED]`` and ``synthetic_sentences:...``: the built-in corpora,
generated (the PATH is a size, not a file)."""

from __future__ import annotations

from pathlib import Path

from signkit.data.dataset import loader
from signkit.errors import ConfigError
from signkit.pose.pose import Pose


def _sizes(spec: str, name: str, example: str) -> tuple[int, int, int]:
    parts = spec.split("x")
    if len(parts) not in (2, 3) or not all(v.isdigit() for v in parts):
        raise ConfigError(f"{name}:{spec}: expected {example}")
    return (*map(int, parts), 0)[:3]  # type: ignore[return-value]


@loader("synthetic", reads_files=False)
def read_synthetic(spec: Path) -> list[Pose]:
    """``synthetic:5x12``: 5 signers, 12 repetitions of each sign."""
    from signkit.data.synthetic import generate

    example = "SIGNERSxREPETITIONS[xSEED], e.g. synthetic:5x12"
    return generate(*_sizes(str(spec).lower(), "synthetic", example))


@loader("synthetic_sentences", reads_files=False)
def read_sentences(spec: Path) -> list[Pose]:
    """``synthetic_sentences:5x60[:last]``: continuous synthetic sentences whose questions are
    marked by eyebrows and head over the whole sentence (``:last``: over its last sign only)."""
    from signkit.data.synthetic import generate_sentences

    example = "SIGNERSxSENTENCES[xSEED][:last], e.g. synthetic_sentences:5x60"
    text, _, scope = str(spec).lower().partition(":")
    if scope not in ("", "last"):
        raise ConfigError(f"synthetic_sentences:{spec}: expected {example}")
    signers, per_signer, seed = _sizes(text, "synthetic_sentences", example)
    return generate_sentences(signers, per_signer, seed, scope=scope or "sentence")
