"""Input modalities, registered by name (a recipe's ``model.modality``): what a sample is and how
it becomes a batch, a network and a reloadable run. ``pose`` (keypoint sequences, every task) and
``video`` (RGB clips, classification). Folds, run folders, the trainer, resume, crossval and the
reports are shared by :func:`signkit.training.run.train`. A new modality is one new file here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signkit.registry import Registry

if TYPE_CHECKING:
    from signkit.training.config import DataConfig, ModelConfig, Recipe
    from signkit.training.tasks import Task

MODALITIES: Registry[type[Modality]] = Registry("modality")


class Modality:
    """The modality-specific half of a training run and of reloading one."""

    #: samples per validation batch
    eval_batch: int = 256

    def describe(self, data: DataConfig) -> str:
        """What the model sees, for reports (the articulator groups of a pose model)."""
        return data.groups

    def check(self, task: str, model: ModelConfig) -> None:
        """Raise :class:`~signkit.errors.ConfigError` for a model or task this modality lacks
        (when the recipe loads, before any data is read)."""
        raise NotImplementedError

    def prepare(self, samples: Sequence[Any], data: DataConfig) -> list[Any]:
        """The dataset's samples as the network's data set reads them (deterministic work)."""
        raise NotImplementedError

    def module(self, task: Task, recipe: Recipe, samples: Sequence[Any], prepared: Sequence[Any],
               vocabulary: list[str]) -> Any:
        """The LightningModule, with any weights the recipe starts from loaded."""
        raise NotImplementedError

    def callbacks(self, recipe: Recipe) -> list[Any]:
        """Extra Lightning callbacks (freezing parts of the network)."""
        return []

    def dataset(self, task: Task, prepared: Sequence[Any], glosses: Sequence[str], vocabulary: list[str],
                data: DataConfig, train: bool, seed: int) -> Any:
        """A torch ``Dataset`` of prepared samples and their targets."""
        raise NotImplementedError

    def write_run_files(self, out: Path, prepared: Any) -> None:
        """What the run folder needs to read new samples as in training (the keypoint layout)."""

    def load_run(self, run_dir: Path, recipe: Recipe, vocabulary: list[str], checkpoint: Path) -> Any:
        """A trained run: ``prepare``, ``predict_proba`` and ``read_input`` for new samples."""
        raise NotImplementedError


def get_modality(name: str) -> Modality:
    from signkit.training.modalities import pose, video  # noqa: F401  (registration)

    return MODALITIES.get(name)()
