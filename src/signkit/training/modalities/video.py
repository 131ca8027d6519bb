"""``model.modality: video``: RGB clips of labelled videos (``video_dir`` datasets) for a video
model (``r2plus1d_18``); classification only.

A clip is ``data.length`` frames spread over the sign (jittered in training), each fitted into a
``video.size`` square with its aspect ratio kept (the rest is padding), after, in training, a
random crop of ``video.crop_scale`` of the frame's area taken at the same place in every frame.
Each video is decoded once (PyAV) and kept, reduced to :func:`~signkit.data.videos.cache_frames`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator

from signkit.errors import ConfigError
from signkit.training.predict import TrainedRun
from signkit.training.registries import MODALITIES, Modality, Section


class VideoConfig(Section):
    """``video:``: how a clip's frames are sized and cropped, and the weights a model starts from."""

    files = ("weights",)

    size: int = Field(112, ge=16, le=512, description="frames fitted into a square of this many "
                                                       "pixels, aspect ratio kept")
    crop_scale: tuple[float, float] = Field(
        (0.6, 1.0), description="training crops take this fraction of the frame's area")
    weights: str | None = Field(None, description="a torchvision-format state dict the model starts from")
    finetune: Literal["last", "all"] = Field("last", description="with weights: train only the last "
                                                                 "layer, or every layer")

    @field_validator("crop_scale")
    @classmethod
    def _scale(cls, scale: tuple[float, float]) -> tuple[float, float]:
        if not 0 < scale[0] <= scale[1] <= 1:
            raise ValueError(f"crop_scale {list(scale)} must be two fractions 0 < low <= high <= 1")
        return scale


def clip_tensor(frames: np.ndarray, length: int, video: VideoConfig, rng: np.random.Generator | None = None):
    """``(N, H, W, 3)`` uint8 decoded frames -> the network's ``(3, length, size, size)`` float
    tensor, normalised as the Kinetics weights expect; ``rng`` given: training augmentation."""
    import torch
    import torch.nn.functional as F

    from signkit.models.r2plus1d import KINETICS_MEAN, KINETICS_STD
    from signkit.training.arrays import frame_indices

    x = torch.from_numpy(frames[frame_indices(len(frames), length, rng)])
    h, w = x.shape[1:3]
    if rng is not None:  # the same box in every frame: the movement stays intact
        side = float(np.sqrt(rng.uniform(*video.crop_scale)))
        ch, cw = max(1, round(h * side)), max(1, round(w * side))
        y0, x0 = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        x, h, w = x[:, y0:y0 + ch, x0:x0 + cw], ch, cw
    scale = video.size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    x = F.interpolate(x.permute(0, 3, 1, 2).float() / 255, size=(nh, nw), mode="bilinear",
                      align_corners=False, antialias=scale < 1)
    x = (x - torch.tensor(KINETICS_MEAN)[:, None, None]) / torch.tensor(KINETICS_STD)[:, None, None]
    top, left = (video.size - nh) // 2, (video.size - nw) // 2
    x = F.pad(x, (left, video.size - nw - left, top, video.size - nh - top))  # 0: the mean colour
    return x.permute(1, 0, 2, 3).contiguous()


def check_videos(clips: Sequence[Any]) -> None:
    """Open every clip's video (its first frame, its crop) before a run starts, so that a bad file
    stops the command with its name rather than an epoch later with a half-written run folder."""
    from signkit.errors import PoseFileError
    from signkit.extract.video import read_frames

    bad = []
    for clip in clips:
        try:
            read_frames(clip.path, clip.crop)[1].close()
        except PoseFileError as exc:
            bad.append(f"{exc.path}: {exc.problem}")
    if bad:
        raise ConfigError(f"{len(bad)} of {len(clips)} videos cannot be read: " + "; ".join(bad[:3])
                          + ("; ..." if len(bad) > 3 else ""))


class VideoClipDataset:
    """``(clip (3, length, size, size), label)`` of labelled :class:`VideoClip` samples."""

    def __init__(self, clips: Sequence[Any], labels: Sequence[int], length: int, video: VideoConfig,
                 train: bool = False, seed: int = 0):
        from signkit.data.videos import cache_frames

        self.clips, self.labels, self.length, self.video = list(clips), np.asarray(labels), length, video
        self.rng = np.random.default_rng(seed) if train else None
        self.keep, self.long_side = cache_frames(length, video.size, video.crop_scale[0])
        self._frames: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.clips)

    def frames(self, i: int) -> np.ndarray:
        if i not in self._frames:
            self._frames[i] = self.clips[i].decode(self.keep, self.long_side)
        return self._frames[i]

    def __getitem__(self, i: int):
        return clip_tensor(self.frames(i), self.length, self.video, self.rng), int(self.labels[i])


@dataclass
class VideoRun(TrainedRun):
    """A trained video model with what it needs to read new videos as in training."""

    path: Path
    module: Any

    def read_input(self, path: Path) -> Any:
        from signkit.data.videos import VideoClip

        return VideoClip(Path(path), metadata={"source": str(path)})

    def prepare(self, clips: list[Any]) -> list[Any]:
        from signkit.data.videos import VideoClip

        for clip in clips:
            if not isinstance(clip, VideoClip):
                raise ConfigError(f"{self.path} is a video model: give it videos (a video_dir "
                                  f"dataset), not {type(clip).__name__} samples")
        return list(clips)

    def predict_proba(self, clips: list[Any], batch: int = 8) -> np.ndarray:
        """``(N, classes)`` probabilities, one centred clip per video."""
        import torch

        data = VideoClipDataset(clips, [0] * len(clips), self.recipe.data.length, self.recipe.video)
        out = []
        with torch.inference_mode():
            for i in range(0, len(clips), batch):
                x = torch.stack([data[j][0] for j in range(i, min(i + batch, len(clips)))])
                out.append(torch.softmax(self.module(x), -1).numpy())
        return np.concatenate(out) if out else np.zeros((0, len(self.vocabulary)), np.float32)


@MODALITIES.register("video")
class VideoModality(Modality):
    eval_batch = 8  # a batch of 112 px clips through R(2+1)D-18 takes about 2 GB
    sections: ClassVar[dict[str, type[Section]]] = {"video": VideoConfig}

    def describe(self, recipe) -> str:
        return f"rgb {recipe.data.length} x {recipe.video.size} px"

    def model_defaults(self, model) -> dict:
        from signkit.models import VIDEO_MODELS
        from signkit.training.registries import registered_defaults

        return registered_defaults(VIDEO_MODELS, model.encoder)

    def check(self, task, model) -> None:
        from signkit.models import VIDEO_MODELS

        if task != "classify":
            raise ConfigError(f"the video modality classifies isolated signs (task: classify), not {task}")
        if model.decoder not in (None, "linear"):
            raise ConfigError(f"decoder {model.decoder!r}: a video model ends in its own linear layer")
        if model.init_from:
            raise ConfigError("init_from is for pose pretraining runs; a video model starts from "
                              "video.weights")
        VIDEO_MODELS.check(model.encoder, model.encoder_params, ("num_classes",))

    def prepare(self, samples, data):
        from signkit.data.videos import VideoClip

        if samples and not isinstance(samples[0], VideoClip):
            raise ConfigError(f"model.modality=video needs a video dataset (video_dir:FOLDER), "
                              f"not {data.dataset}")
        check_videos(samples)
        return list(samples)

    def module(self, task, recipe, samples, prepared, vocabulary):
        from signkit.models.r2plus1d import load_weights
        from signkit.training.module import VideoClassifier

        m, opt = recipe.model, recipe.optim
        module = VideoClassifier(m.encoder, len(vocabulary), m.encoder_params, opt.lr, opt.weight_decay,
                                 opt.label_smoothing, opt.scheduler, recipe.trainer.max_epochs)
        if recipe.video.weights:
            load_weights(module.model, recipe.video.weights)
        return module

    def callbacks(self, recipe):
        if recipe.video.weights and recipe.video.finetune == "last":
            from signkit.training.module import FreezeBackbone

            return [FreezeBackbone(None)]
        return []

    def dataset(self, task, prepared, glosses, vocabulary, recipe, train, seed):
        label = {g: i for i, g in enumerate(vocabulary)}
        return VideoClipDataset(prepared, [label[g] for g in glosses], recipe.data.length, recipe.video,
                                train, seed)

    def load_run(self, run_dir, recipe, vocabulary, checkpoint):
        from signkit.training.checkpoint import load_module
        from signkit.training.module import VideoClassifier

        module = load_module(VideoClassifier, checkpoint)
        return VideoRun(recipe, vocabulary, run_dir, module)
