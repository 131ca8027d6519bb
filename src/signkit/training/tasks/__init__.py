"""Training tasks, registered by name (a recipe's ``task``): what differs between learning one
gloss per sample (``classify``), a gloss sequence per sample (``ctc``) and a label per frame
(``tag``): the targets, the vocabulary, the tensors and their batches, the LightningModule and
how a trained run is scored. Encoders, recipes, run folders, resume, crossval and DDP are shared.
A new task is one new file here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signkit.errors import ConfigError
from signkit.registry import Registry

if TYPE_CHECKING:
    from signkit.pose.pose import Pose
    from signkit.training.config import DataConfig, Recipe

TASKS: Registry[type[Task]] = Registry("task")


class Task:
    """The task-specific half of a training run; every method gets what it needs passed in."""

    #: a batch collation function for the DataLoader (``None``: PyTorch's default)
    collate: Callable[..., Any] | None = None
    #: learns from unlabelled corpus windows (``signkit pretrain``), not from labelled samples
    pretraining: bool = False

    def default_decoder(self, encoder: str) -> str:
        raise NotImplementedError

    def check_model(self, encoder: str, decoder: str, encoder_params: dict[str, Any],
                    decoder_params: dict[str, Any]) -> None:
        """Raise :class:`ConfigError` for unknown parts or parameters (when the recipe loads)."""
        raise NotImplementedError

    def check_params(self, params: dict[str, Any]) -> None:
        """Raise :class:`ConfigError` for ``pretrain.params`` this task does not take."""
        if params:
            raise ConfigError("only pretraining tasks (dpc, masked, contrastive) take parameters")

    def targets(self, samples: Sequence[Pose], recipe: Recipe) -> list[str]:
        """Each sample's target as text: its gloss (a tagging task: its frame labels)."""
        return [str(p.metadata["gloss"]) for p in samples]

    def vocabulary(self, glosses: Sequence[str]) -> list[str]:
        raise NotImplementedError

    def timed(self, run: Any, pose: Pose) -> dict[str, list[tuple[str, float, float]]] | None:
        """``{tier: [(value, start s, end s)]}`` that ``predict`` prints and ``--eaf`` writes;
        ``None`` for a task with one label per sample."""
        return None

    def dataset(self, poses: Sequence[Pose], glosses: Sequence[str], vocabulary: list[str],
                cfg: DataConfig, train: bool, seed: int) -> Any:
        """A torch ``Dataset`` of prepared ``poses`` and their targets."""
        raise NotImplementedError

    def module(self, recipe: Recipe, num_nodes: int, edges: list[list[int]], vocabulary: list[str]) -> Any:
        raise NotImplementedError

    def module_class(self) -> type:
        """The LightningModule class whose checkpoints this task writes."""
        raise NotImplementedError

    @property
    def monitor(self) -> tuple[str, str]:
        """The validation metric that picks the best checkpoint and whether higher is better:
        the module's own (its plateau scheduler follows it too)."""
        return self.module_class().monitor

    def write_run_files(self, out: Path, train_glosses: Sequence[str]) -> None:
        """Anything else the run folder needs to reload (the CTC language model's corpus)."""

    def evaluate(self, run: Any, prepared: Sequence[Pose], glosses: Sequence[str],
                 merge: str | None) -> dict[str, Any]:
        """The report of a trained run on prepared poses (``metrics.json``)."""
        raise NotImplementedError

    def evaluate_dataset(self, run: Any, ds: Any, merge: str | None, out_dir: Path | None,
                         decode_options: dict[str, Any] | None = None) -> dict[str, Any]:
        """``signkit evaluate``: the report on a dataset, with its files in ``out_dir``."""
        raise NotImplementedError


def get_task(name: str) -> Task:
    from signkit.training.tasks import classify, ctc, pretraining, tag  # noqa: F401  (registration)

    return TASKS.get(name)()
