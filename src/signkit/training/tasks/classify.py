"""``task: classify``: one gloss per sample, fixed-length tensors, cross-entropy, top-k accuracy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from signkit.training.registries import TASKS, Task


@TASKS.register("classify")
class Classify(Task):
    def default_decoder(self, encoder: str) -> str:
        """The decoder the encoder registers as its usual one (``defaults``), else linear."""
        from signkit.models import ENCODERS

        if encoder not in ENCODERS:  # a video model is whole: the name is unused
            return "linear"
        return getattr(ENCODERS.get(encoder), "defaults", {}).get("decoder", "linear")

    def check_model(self, encoder, decoder, encoder_params, decoder_params) -> None:
        from signkit.models import check_model

        check_model(encoder, decoder, encoder_params, decoder_params)

    def vocabulary(self, glosses: Sequence[str]) -> list[str]:
        return sorted(set(glosses))

    def dataset(self, poses, glosses, vocabulary, cfg, train, seed):
        from signkit.training.data import PoseTensorDataset

        label = {g: i for i, g in enumerate(vocabulary)}
        return PoseTensorDataset(poses, [label[g] for g in glosses], cfg, train, seed)

    def module(self, recipe, num_nodes, edges, vocabulary):
        from signkit.training.module import PoseClassifier

        m, opt, data = recipe.model, recipe.optim, recipe.data
        return PoseClassifier(m.encoder, m.decoder, num_nodes, data.dims, len(vocabulary), edges,
                              m.encoder_params, m.decoder_params, opt.lr, opt.weight_decay,
                              opt.label_smoothing, opt.scheduler, recipe.trainer.max_epochs)

    def module_class(self) -> type:
        from signkit.training.module import PoseClassifier

        return PoseClassifier

    def evaluate(self, run, prepared, glosses, merge) -> dict[str, Any]:
        from signkit.training.predict import evaluate_poses

        return evaluate_poses(run, list(prepared), list(glosses), merge)[0]


    def evaluate_dataset(self, run, ds, merge, out_dir, decode_options=None) -> dict[str, Any]:
        """Top-k, macro-F1 and merged accuracy; confusion CSV and PNG, per-class CSV."""
        from signkit.errors import ConfigError
        from signkit.reports.tables import write_evaluation
        from signkit.training.predict import evaluate_poses

        unknown = sorted(set(ds.vocabulary) - set(run.vocabulary))
        if unknown:
            raise ConfigError(f"{ds.name} has glosses the model never saw: {', '.join(unknown[:10])}")
        report, proba = evaluate_poses(run, run.prepare(ds.samples), list(ds.glosses), merge)
        if out_dir is not None:
            pred = [run.vocabulary[i] for i in proba.argmax(1)]
            write_evaluation(Path(out_dir), ds.name, report, ds.glosses, pred, run.vocabulary,
                             f"{Path(out_dir).parent.name} on {ds.name}")
        return report
