"""The training registries and their entries' interfaces: tasks (a recipe's ``task``) and input
modalities (``model.modality``). Each registry finds its entries in its own package
(``signkit.training.tasks``, ``signkit.training.modalities``) on first lookup, so a new task or
modality is one new file there; the recipe schema checks names here without importing any of
them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from signkit.errors import ConfigError
from signkit.registry import Registry

if TYPE_CHECKING:
    from signkit.pose.pose import Pose
    from signkit.training.config import DataConfig, ModelConfig, Recipe


class Section(BaseModel):
    """A recipe section that a task or a modality owns (``decode:`` of ``task: ctc``, ``video:`` of
    ``model.modality: video``): declared in the entry's own file, validated with the recipe, saved
    with the run. A recipe for another task or modality may not set it."""

    model_config = ConfigDict(extra="forbid")
    #: fields that name a file, which a recipe gives relative to itself
    files: ClassVar[tuple[str, ...]] = ()


# ---- tasks ---------------------------------------------------------------------------------
TASKS: Registry[type[Task]] = Registry("task", package="signkit.training.tasks")


class Task:
    """The task-specific half of a training run; every method gets what it needs passed in."""

    #: a batch collation function for the DataLoader (``None``: PyTorch's default)
    collate: Callable[..., Any] | None = None
    #: learns from unlabelled corpus windows (``signkit pretrain``), not from labelled samples
    pretraining: bool = False
    #: the recipe sections this task owns: name -> its typed settings
    sections: ClassVar[dict[str, type[Section]]] = {}

    def default_decoder(self, encoder: str) -> str:
        raise NotImplementedError

    def check_model(self, encoder: str, decoder: str, encoder_params: dict[str, Any],
                    decoder_params: dict[str, Any]) -> None:
        """Raise :class:`ConfigError` for unknown parts or parameters (when the recipe loads)."""
        raise NotImplementedError

    def check_recipe(self, recipe: Recipe) -> None:
        """Raise :class:`ConfigError` for settings that need the models' registries (when a recipe
        loads with its model checked)."""

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
    return TASKS.get(name)()


# ---- modalities ----------------------------------------------------------------------------
MODALITIES: Registry[type[Modality]] = Registry("modality", package="signkit.training.modalities")


class Modality:
    """The modality-specific half of a training run and of reloading one."""

    #: samples per validation batch
    eval_batch: int = 256
    #: the recipe sections this modality owns: name -> its typed settings
    sections: ClassVar[dict[str, type[Section]]] = {}

    def describe(self, recipe: Recipe) -> str:
        """What the model sees, for reports (the articulator groups of a pose model)."""
        return recipe.data.groups

    def check(self, task: str, model: ModelConfig) -> None:
        """Raise :class:`~signkit.errors.ConfigError` for a model or task this modality lacks
        (when the recipe loads, before any data is read)."""
        raise NotImplementedError

    def model_defaults(self, model: ModelConfig) -> dict[str, Any]:
        """The lr and batch size the model registers with itself (``defaults``), for a recipe that
        sets neither."""
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
                recipe: Recipe, train: bool, seed: int) -> Any:
        """A torch ``Dataset`` of prepared samples and their targets."""
        raise NotImplementedError

    def write_run_files(self, out: Path, prepared: Any) -> None:
        """What the run folder needs to read new samples as in training (the keypoint layout)."""

    def load_run(self, run_dir: Path, recipe: Recipe, vocabulary: list[str], checkpoint: Path) -> Any:
        """A trained run: ``prepare``, ``predict_proba`` and ``read_input`` for new samples."""
        raise NotImplementedError


def get_modality(name: str) -> Modality:
    return MODALITIES.get(name)()


def sections_of(task: str, modality: str) -> dict[str, type[Section]]:
    """The sections a recipe of ``task`` and ``modality`` holds (unknown names: none)."""
    owners = [(TASKS, task), (MODALITIES, modality)]
    return {k: v for reg, name in owners if name in reg for k, v in reg.get(name).sections.items()}


def section_owners() -> dict[str, tuple[str, type[Section]]]:
    """Every registered section: name -> (who owns it, e.g. ``task ctc``, its settings)."""
    return {key: (f"{reg.kind} {name}", cls) for reg in (TASKS, MODALITIES)
            for name, entry in reg.items() for key, cls in entry.sections.items()}


def registered_defaults(registry: Registry, name: str) -> dict[str, Any]:
    """An entry's own ``defaults`` (lr, batch_size): no silent fallback to another model's."""
    defaults = getattr(registry.get(name), "defaults", {})
    if not {"lr", "batch_size"} <= set(defaults):
        raise ConfigError(f"{registry.kind} {name!r} registers no default lr and batch_size: set "
                          "optim.lr and optim.batch_size in the recipe")
    return defaults
