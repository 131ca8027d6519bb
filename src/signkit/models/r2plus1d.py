"""R(2+1)D-18 (Tran et al. 2018) on RGB clips: the K-RSL paper's strongest baseline.

Every 3D convolution is split into a spatial ``(1, 3, 3)`` and a temporal ``(3, 1, 1)`` one, with
the middle width chosen so that the pair has as many parameters as the full ``3x3x3``
convolution. Module names and shapes follow torchvision's ``r2plus1d_18``, so its Kinetics-400
state dict (``r2plus1d_18-91a641e6.pth``) loads with :func:`load_weights`. Written here because
torchvision's wheels do not load beside the CPU build of torch that signkit pins.

Input ``(B, 3, T, H, W)`` (RGB, normalised by :data:`KINETICS_MEAN` / :data:`KINETICS_STD`),
output logits ``(B, num_classes)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import torch
from torch import Tensor, nn

from signkit.errors import PoseFileError
from signkit.models.base import VIDEO_MODELS

# The statistics of the Kinetics-400 frames the published weights were trained on.
KINETICS_MEAN = (0.43216, 0.394666, 0.37645)
KINETICS_STD = (0.22803, 0.22145, 0.216989)


def _bn_relu(channels: int) -> list[nn.Module]:
    return [nn.BatchNorm3d(channels), nn.ReLU(inplace=True)]


def conv2plus1d(cin: int, cout: int, mid: int, stride: int = 1) -> nn.Sequential:
    """A spatial convolution to ``mid`` channels then a temporal one, each strided by ``stride``."""
    return nn.Sequential(
        nn.Conv3d(cin, mid, (1, 3, 3), (1, stride, stride), (0, 1, 1), bias=False), *_bn_relu(mid),
        nn.Conv3d(mid, cout, (3, 1, 1), (stride, 1, 1), (1, 0, 0), bias=False))


class Block(nn.Module):
    """Two (2+1)D convolutions with a residual connection (a strided 1x1x1 one when the shape
    changes)."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        # One middle width for both convolutions, from the block's input and output widths
        # (the parameter count of a full 3x3x3 convolution from cin to cout).
        mid = (cin * cout * 27) // (cin * 9 + 3 * cout)
        self.conv1 = nn.Sequential(conv2plus1d(cin, cout, mid, stride), *_bn_relu(cout))
        self.conv2 = nn.Sequential(conv2plus1d(cout, cout, mid), nn.BatchNorm3d(cout))
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (nn.Sequential(nn.Conv3d(cin, cout, 1, stride, bias=False), nn.BatchNorm3d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x: Tensor) -> Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(self.conv2(self.conv1(x)) + shortcut)


@VIDEO_MODELS.register("r2plus1d_18")
class R2Plus1D18(nn.Module):
    """R(2+1)D-18: (2+1)D stem, four stages of two residual blocks (64-512 channels), average
    pooling and one linear layer (``fc``, the only layer trained on top of loaded weights)."""

    #: what a recipe that sets no optim.lr, optim.batch_size (or decoder) trains with
    defaults: ClassVar[dict] = {"lr": 1e-4, "batch_size": 16}  # the K-RSL paper's RGB baseline

    def __init__(self, num_classes: int, dropout: float = 0.0):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv3d(3, 45, (1, 7, 7), (1, 2, 2), (0, 3, 3), bias=False), *_bn_relu(45),
            nn.Conv3d(45, 64, (3, 1, 1), 1, (1, 0, 0), bias=False), *_bn_relu(64))
        widths, cin = (64, 128, 256, 512), 64
        for n, width in enumerate(widths, start=1):
            stride = 1 if n == 1 else 2
            setattr(self, f"layer{n}", nn.Sequential(Block(cin, width, stride), Block(width, width)))
            cin = width
        self.avgpool = nn.AdaptiveAvgPool3d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv3d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        x = self.stem(x)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.dropout(self.avgpool(x).flatten(1)))

    @property
    def last_layer(self) -> nn.Module:
        return self.fc


def load_weights(model: nn.Module, path: str | Path) -> list[str]:
    """Load a torchvision-format state dict from ``path`` into ``model``, all but the last layer
    when its class count differs (Kinetics' 400 against a sign vocabulary). Returns the names
    left at their initial values. A file that is not such a state dict is one clear error."""
    path = Path(path)
    if not path.is_file():
        raise PoseFileError(path, "no such weights file")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a file that is not a checkpoint
        raise PoseFileError(path, f"not a PyTorch state dict ({exc.__class__.__name__})") from None
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    if not isinstance(state, dict):
        raise PoseFileError(path, "holds no state dict")
    own = model.state_dict()
    skipped = [k for k, v in state.items() if k in own and own[k].shape != v.shape]
    unknown = [k for k in state if k not in own]
    missing = [k for k in own if k not in state]
    if unknown or [k for k in missing if not k.endswith("num_batches_tracked")] or \
            [k for k in skipped if not k.startswith("fc.")]:
        bad = (unknown + missing + skipped)[:3]
        raise PoseFileError(path, f"does not match {type(model).__name__} ({len(unknown)} unknown, "
                                  f"{len(missing)} missing, {len(skipped)} mis-shaped tensors, "
                                  f"e.g. {', '.join(bad)})")
    model.load_state_dict({k: v for k, v in state.items() if k not in skipped}, strict=False)
    return skipped
