"""Recipes: YAML files validated into typed configs; the resolved config is saved with each run.

Relative paths in a recipe (the dataset's) are relative to the recipe file, so recipes carry no
absolute paths and run from any folder. ``--set data.groups=hands+mouth`` overrides any field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from signkit import safe_yaml
from signkit.errors import ConfigError
from signkit.training.registries import get_task, section_owners, sections_of
from signkit.transforms import build_transforms


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Strict):
    dataset: str = Field(description="LOADER:PATH, e.g. krsl20:data.npz or pose_dir:folder")
    split: str = "loso"
    fold: int = 0
    split_seed: int = 0
    dedup: bool = False
    groups: str = "hands"
    dims: int = Field(2, ge=2, le=3, description="x, y (2) or x, y, z (3)")
    length: int = Field(32, ge=4, le=256)
    preprocess: list[str | dict[str, Any]] | None = None
    augment: list[str | dict[str, Any]] = []
    features: list[str | dict[str, Any]] = Field(
        [], description="transforms run after the augmentation and frame sampling, on training "
                        "and test poses alike (bones, motion)")
    merge: str | None = Field(None, description="regex s/a/b/ merging glosses for 'word' accuracy")
    train_per_class: int | None = Field(
        None, ge=1, description="few-shot: keep this many samples per class of each training signer "
                                "(training and validation parts; the test part is whole)")

    @field_validator("preprocess", "augment", "features")
    @classmethod
    def _buildable(cls, steps: list[str | dict[str, Any]] | None) -> list[str | dict[str, Any]] | None:
        """Unknown transforms and wrong parameters fail when the recipe loads, not mid-run."""
        if steps is not None:
            try:
                build_transforms(steps)
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        return steps


class ModelConfig(_Strict):
    modality: str = Field("pose", description="pose (keypoint sequences) or video (RGB clips)")
    encoder: str = "stgcn"
    decoder: str | None = Field(None, description="a decoder (task classify) or a sequence head "
                                                  "(task ctc: conv_bilstm, transformer)")
    encoder_params: dict[str, Any] = {}
    decoder_params: dict[str, Any] = {}
    init_from: str | None = Field(None, description="a pretraining run folder whose encoder weights "
                                                    "start this model (same encoder and keypoints)")
    freeze_epochs: int = Field(0, ge=0, description="with init_from: train only the decoder for "
                                                    "this many epochs first")

    def decoder_for(self, task: str) -> str:
        return self.decoder or get_task(task).default_decoder(self.encoder)

    def check(self, task: str) -> None:
        """Unknown models and wrong parameters fail when the recipe loads, not after the data."""
        from signkit.training.registries import get_modality

        get_modality(self.modality).check(task, self)


class OptimConfig(_Strict):
    lr: float | None = None
    batch_size: int | None = None
    weight_decay: float = 1e-4
    label_smoothing: float = 0.1
    scheduler: Literal["cosine", "plateau", "none"] = "cosine"


class TrainerConfig(_Strict):
    max_epochs: int = 60
    patience: int | None = 20
    seed: int = 0
    devices: int = 1
    strategy: str = "auto"
    num_workers: int = 0


# Settings that moved into a modality's own section: (old section, key) -> (new section, the
# value the old schema saved for every recipe, which a recipe of another modality may keep).
MOVED = {("data", "size"): ("video", 112), ("data", "crop_scale"): ("video", [0.6, 1.0]),
         ("model", "weights"): ("video", None), ("model", "finetune"): ("video", "last")}
CORE = ("name", "task", "data", "model", "optim", "trainer")


def _errors(exc: ValidationError) -> str:
    # "Value error, " is pydantic's prefix for the validators' own messages.
    return "; ".join(": ".join([*([".".join(map(str, e["loc"]))] if e["loc"] else []),
                                e["msg"].removeprefix("Value error, ")]) for e in exc.errors())


def _sections(tree: dict[str, Any]) -> dict[str, Any]:
    """The sections of the recipe's task and modality validated into their typed settings; an old
    recipe's moved settings put where they live now, or one line that says where they went."""
    tree = {k: (dict(v) if isinstance(v, dict) else v) for k, v in tree.items()}
    task, modality = str(tree.get("task", "classify")), "pose"
    if isinstance(tree.get("model"), dict):
        modality = str(tree["model"].get("modality", "pose"))
    own = sections_of(task, modality)
    for (old, key), (new, default) in MOVED.items():
        if not isinstance(tree.get(old), dict) or key not in tree[old]:
            continue
        value = tree[old].pop(key)
        if new in own:
            section = tree.setdefault(new, {})
            if isinstance(section, dict):
                section.setdefault(key, value)
        elif (list(value) if isinstance(value, tuple) else value) != default:
            raise ValueError(f"{old}.{key} is a setting of the {new} modality (now {new}.{key}); "
                             f"this recipe's modality is {modality}")
    foreign = [k for k in tree if k not in CORE and k not in own]
    owners = section_owners() if foreign else {}  # imports every task and modality: only when needed
    for key in foreign:
        if key not in owners:
            raise ValueError(f"unknown section {key!r}; a {task} recipe of the {modality} modality has "
                             f"{', '.join([*CORE, *own])}")
        owner, cls = owners[key]
        try:  # the old schema saved every task's sections in every run's config: defaults, dropped
            unset = cls.model_validate(tree[key] or {}) == cls()
        except ValidationError:
            unset = False
        if not unset:
            raise ValueError(f"{key}: a section of {owner}, not of this recipe's (task {task}, "
                             f"modality {modality})")
        del tree[key]
    for key, cls in own.items():
        try:
            tree[key] = cls.model_validate(tree.get(key) or {})
        except ValidationError as exc:
            raise ValueError(f"{key}: {_errors(exc)}") from None
    return tree


class Recipe(_Strict):
    """The core sections, typed here, and the sections that the recipe's task and modality declare
    (:attr:`~signkit.training.registries.Task.sections`), read as attributes (``recipe.decode``)."""

    model_config = ConfigDict(extra="allow")  # only the task's and modality's sections get in

    name: str = "run"
    task: str = Field("classify", description="classify (one gloss per sample), ctc (a "
                                              "space-separated gloss sequence per sample) or tag "
                                              "(a label per frame from an annotation tier)")
    data: DataConfig
    model: ModelConfig = ModelConfig()
    optim: OptimConfig = OptimConfig()
    trainer: TrainerConfig = TrainerConfig()

    @model_validator(mode="before")
    @classmethod
    def _own_sections(cls, tree: Any) -> Any:
        return _sections(tree) if isinstance(tree, dict) else tree

    @field_validator("task")
    @classmethod
    def _known_task(cls, task: str) -> str:
        try:
            get_task(task)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return task

    @model_validator(mode="after")
    def _known_model(self, info: ValidationInfo) -> Recipe:
        if not (info.context or {}).get("check_model", True):
            return self
        try:
            self.model.check(self.task)
        except ConfigError as exc:
            raise ValueError(f"model: {exc}") from None
        try:
            get_task(self.task).check_recipe(self)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return self

    def resolved(self) -> Recipe:
        """Fill model-dependent defaults (decoder, batch size, learning rate)."""
        from signkit.training.registries import get_modality

        defaults = {}
        if self.optim.lr is None or self.optim.batch_size is None:
            defaults = get_modality(self.model.modality).model_defaults(self.model)
        model = self.model.model_copy(update={
            "decoder": self.model.decoder_for(self.task)})
        optim = self.optim.model_copy(update={
            "lr": self.optim.lr or defaults["lr"],
            "batch_size": self.optim.batch_size or defaults["batch_size"]})
        return self.model_copy(update={"model": model, "optim": optim})


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
        if not isinstance(tree, dict):
            raise ConfigError(f"--set {dotted}: {key} is not a section")
    tree[leaf] = value


def parse_overrides(items: list[str]) -> list[tuple[str, Any]]:
    """``["optim.lr=1e-3", "data.groups=hands+mouth"]`` -> typed pairs (values parsed as YAML)."""
    pairs = []
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set {item!r}: expected key=value, e.g. optim.lr=0.001")
        pairs.append((key.strip(), safe_yaml.loads(raw, f"--set {key.strip()}") if raw.strip() else None))
    return pairs


def _resolve_dataset(spec: str, base: Path) -> str:
    from signkit.data.dataset import DATASETS

    loader, sep, path = spec.partition(":")
    if not sep or Path(path).is_absolute() or not DATASETS.get(loader).reads_files:
        return spec
    return f"{loader}:{(base / path).resolve()}"


def recipe_from_dict(tree: dict[str, Any], source: str = "recipe", check_model: bool = True) -> Recipe:
    """``check_model=False`` skips looking the model up in the registries (which need torch): for
    the saved config of an exported model, checked when it was trained."""
    try:
        return Recipe.model_validate(tree, context={"check_model": check_model})
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_errors(exc)}") from None


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read, override, validate and resolve a recipe file."""
    path = Path(path)
    tree = safe_yaml.read(path) or {}
    if not isinstance(tree, dict):
        raise ConfigError(f"{path}: a recipe is a YAML mapping (data:, model:, optim:, trainer:)")
    for key, value in parse_overrides(overrides or []):
        _set(tree, key, value)
    recipe = recipe_from_dict(tree, str(path))
    data = recipe.data.model_copy(update={"dataset": _resolve_dataset(recipe.data.dataset, path.parent)})
    if data.split.endswith(".json"):
        data = data.model_copy(update={"split": _local_file(data.split, path.parent)})
    sections = {}  # files a section names (a video model's weights), relative to the recipe
    for name, section in (recipe.model_extra or {}).items():
        files = {k: _local_file(v, path.parent) for k in section.files if (v := getattr(section, k))}
        sections[name] = section.model_copy(update=files)
    return recipe.model_copy(update={"data": data, **sections}).resolved()


def _local_file(name: str, base: Path) -> str:
    """A file a recipe names (a split file, weights), made absolute: one given with --set exists
    from where the command runs; a recipe's own is relative to the recipe."""
    here = Path(name)
    return str((here if here.is_absolute() or here.exists() else base / here).resolve())


def save_config(recipe: Recipe, path: str | Path) -> None:
    Path(path).write_text(yaml.safe_dump(recipe.model_dump(), sort_keys=False))


def read_config(path: str | Path, check_model: bool = True) -> Recipe:
    tree = safe_yaml.read(path)
    if not isinstance(tree, dict):
        raise ConfigError(f"{path}: not a run's config (a YAML mapping of data:, model:, optim:, ...)")
    return recipe_from_dict(tree, str(path), check_model)
