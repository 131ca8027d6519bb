"""``task: tag``: a label per frame from an annotation tier (non-manual markers: brows raised or
lowered, head nods), every frame kept (padded batches), cross-entropy per frame; scored by frame
F1 per label and segment F1 (a predicted segment counts at IoU >= 0.5 with a true one)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from signkit.data.elan import NONE_LABEL
from signkit.training.registries import TASKS, Section, Task

DEFAULT_HEAD = "conv_bilstm"
FRAME_RATE_HEAD = {"pools": [1, 1]}  # the head keeps every frame: one label each


class TagConfig(Section):
    """``tag:``: which annotation tier gives each frame its label."""

    tier: str = Field("brows", description="the ELAN tier whose values label the frames (brows: "
                                           "br_raise, br_low; head: nod, chin_up, ...); 'none' elsewhere")


@TASKS.register("tag")
class Tag(Task):
    sections: ClassVar[dict[str, type[Section]]] = {"tag": TagConfig}

    @staticmethod
    def collate(items):
        from signkit.training.data import pad_frames

        return pad_frames(items)

    def default_decoder(self, encoder: str) -> str:
        return DEFAULT_HEAD

    def check_model(self, encoder, decoder, encoder_params, decoder_params) -> None:
        from signkit.models import check_sequence_model

        check_sequence_model(encoder, decoder, encoder_params, decoder_params)

    def targets(self, samples, recipe) -> list[str]:
        from signkit.data.elan import check_tiers
        from signkit.data.openface_elan import tier_labels

        where = Path(str(samples[0].metadata.get("source", "dataset"))).parent if samples else "dataset"
        check_tiers([s for p in samples for s in p.metadata.get("segments", [])], [recipe.tag.tier], where)
        return [" ".join(tier_labels(p, recipe.tag.tier)) for p in samples]

    def vocabulary(self, glosses: Sequence[str]) -> list[str]:
        return [NONE_LABEL, *sorted({t for g in glosses for t in g.split()} - {NONE_LABEL})]

    def dataset(self, poses, glosses, vocabulary, cfg, train, seed):
        from signkit.training.data import PoseSequenceDataset

        index = {g: i for i, g in enumerate(vocabulary)}
        return PoseSequenceDataset(poses, [[index.get(t, 0) for t in g.split()] for g in glosses], cfg,
                                   train, seed)

    def module(self, recipe, num_nodes, edges, vocabulary):
        from signkit.training.module import PoseTagger

        m, opt, data = recipe.model, recipe.optim, recipe.data
        head = {**(FRAME_RATE_HEAD if m.decoder == DEFAULT_HEAD else {}), **m.decoder_params}
        return PoseTagger(m.encoder, m.decoder, num_nodes, data.dims, len(vocabulary), edges,
                          m.encoder_params, head, opt.lr, opt.weight_decay, opt.label_smoothing,
                          opt.scheduler, recipe.trainer.max_epochs)

    def module_class(self) -> type:
        from signkit.training.module import PoseTagger

        return PoseTagger

    def evaluate(self, run, prepared, glosses, merge) -> dict[str, Any]:
        true = [g.split() for g in glosses]
        return _report(run, true, frame_predictions(run, list(prepared)))

    def evaluate_dataset(self, run, ds, merge, out_dir, decode_options=None) -> dict[str, Any]:
        """Frame and segment F1 per label, per signer too; ``evaluation.json`` in ``out_dir``."""
        import json

        true = [g.split() for g in self.targets(ds.samples, run.recipe)]
        pred = frame_predictions(run, run.prepare(ds.samples))
        report = _report(run, true, pred)
        signers = ds.signers
        report["per_signer"] = {
            str(s): _report(run, [true[i] for i in np.flatnonzero(signers == s)],
                            [pred[i] for i in np.flatnonzero(signers == s)])
            for s in sorted(set(signers.tolist()))}
        if out_dir is not None:
            out = Path(out_dir)
            out.mkdir(parents=True, exist_ok=True)
            (out / "evaluation.json").write_text(json.dumps(
                {"dataset": ds.name, "tier": run.recipe.tag.tier, **report}, indent=2, ensure_ascii=False))
        return report

    def timed(self, run, pose) -> dict[str, list[tuple[str, float, float]]]:
        from signkit.reports.tagging import segments

        labels = frame_predictions(run, run.prepare([pose]))[0]
        found = [(v, a / pose.fps, b / pose.fps) for v, a, b in segments(labels) if v != NONE_LABEL]
        return {run.recipe.tag.tier: found}


def frame_predictions(run: Any, prepared: Sequence[Any]) -> list[list[str]]:
    """Each pose's most probable label per frame."""
    return [[run.vocabulary[i] for i in lp.argmax(-1)] for lp in run.log_probs(list(prepared))]


def _report(run: Any, true: list[list[str]], pred: list[list[str]]) -> dict[str, Any]:
    from signkit.reports.tagging import tagging_report

    return tagging_report(true, pred, [v for v in run.vocabulary if v != NONE_LABEL])
