"""Pose transforms registered by name: normalisation, interpolation, temporal sampling and
augmentation. Build a pipeline from names with :func:`build_transforms`. The registry finds its
entries in this package's modules on first lookup: a new transform is one new file here.
"""

from signkit.transforms.base import TRANSFORMS, Compose, Transform, build_transforms

__all__ = ["TRANSFORMS", "Compose", "Transform", "build_transforms"]
