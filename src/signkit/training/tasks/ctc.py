"""``task: ctc``: a gloss sequence per sample (``gloss`` holds space-separated glosses), every frame
kept (padded batches), CTC loss over the glosses and a blank, decoding and gloss error rates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field

from signkit.training.decoding import BLANK, CTCDecoder, GlossLM, Segment
from signkit.training.registries import TASKS, Section, Task

if TYPE_CHECKING:
    from signkit.pose.pose import Pose
    from signkit.training.predict import ModelRun

DEFAULT_HEAD = "conv_bilstm"
LM_CORPUS = "lm_corpus.txt"  # the training gloss sequences, one per line: the n-gram LM's data


def tokens(gloss: str) -> list[str]:
    """A sample's gloss sequence."""
    return str(gloss).split()


class DecodeConfig(Section):
    """``decode:``: how a CTC run turns per-step probabilities into glosses."""

    beam_width: int = Field(10, ge=0, description="0 or 1: greedy; more: beam search (pyctcdecode)")
    lm_order: int = Field(0, ge=0, le=6, description="n-gram gloss language model order (0: none), "
                                                     "built from the training gloss sequences")
    lm_alpha: float = 0.5
    lm_beta: float = 0.0


@TASKS.register("ctc")
class CTC(Task):
    sections: ClassVar[dict[str, type[Section]]] = {"decode": DecodeConfig}

    @staticmethod
    def collate(items):
        from signkit.training.data import pad_batch

        return pad_batch(items)

    def default_decoder(self, encoder: str) -> str:
        return DEFAULT_HEAD

    def check_model(self, encoder, decoder, encoder_params, decoder_params) -> None:
        from signkit.models import check_sequence_model

        check_sequence_model(encoder, decoder, encoder_params, decoder_params)

    def vocabulary(self, glosses: Sequence[str]) -> list[str]:
        return [BLANK, *sorted({t for g in glosses for t in tokens(g)})]

    def dataset(self, poses, glosses, vocabulary, cfg, train, seed):
        from signkit.training.data import PoseSequenceDataset

        index = {g: i for i, g in enumerate(vocabulary)}
        return PoseSequenceDataset(poses, [[index[t] for t in tokens(g)] for g in glosses], cfg, train, seed)

    def module(self, recipe, num_nodes, edges, vocabulary):
        from signkit.training.module import PoseCTC

        m, opt, data = recipe.model, recipe.optim, recipe.data
        return PoseCTC(m.encoder, m.decoder, num_nodes, data.dims, len(vocabulary), edges,
                       m.encoder_params, m.decoder_params, opt.lr, opt.weight_decay, 0.0,
                       opt.scheduler, recipe.trainer.max_epochs)

    def module_class(self) -> type:
        from signkit.training.module import PoseCTC

        return PoseCTC

    def timed(self, run, pose) -> dict[str, list[tuple[str, float, float]]]:
        return {"gloss": timed_glosses(run, pose)}

    def write_run_files(self, out: Path, train_glosses: Sequence[str]) -> None:
        (out / LM_CORPUS).write_text("".join(f"{' '.join(tokens(g))}\n" for g in train_glosses))

    def evaluate(self, run, prepared, glosses, merge) -> dict[str, Any]:
        return _score(run, prepared, glosses, merge, decoder_for(run))[-1]

    def evaluate_dataset(self, run, ds, merge, out_dir, decode_options=None) -> dict[str, Any]:
        """WER and its parts over ``ds``, per signer too; in ``out_dir``: ``evaluation.json``,
        ``alignments.csv`` (reference, hypothesis and their alignment per sample) and
        ``posteriors.png`` (the gloss posteriors of the first samples over time)."""
        import csv
        import json

        from signkit.reports.metrics import merge_fn
        from signkit.reports.plots import posteriors_png
        from signkit.reports.wer import alignment_rows, wer_report

        decoder = decoder_for(run, **(decode_options or {}))
        lps, refs, hyps, report = _score(run, run.prepare(ds.samples), ds.glosses, merge, decoder)
        merge_fn = merge_fn(merge)
        signers = ds.signers
        per_signer = {str(sgn): wer_report([refs[i] for i in np.flatnonzero(signers == sgn)],
                                           [hyps[i] for i in np.flatnonzero(signers == sgn)], merge_fn)
                      for sgn in sorted(set(signers.tolist()))}
        if out_dir is not None:
            out = Path(out_dir)
            out.mkdir(parents=True, exist_ok=True)
            (out / "evaluation.json").write_text(json.dumps(
                {"dataset": ds.name, "decoder": decoder.describe(), **report, "per_signer": per_signer},
                indent=2))
            rows = alignment_rows(refs, hyps)
            with (out / "alignments.csv").open("w", newline="") as fh:
                w = csv.DictWriter(fh, ["sample", "source", "signer", *rows[0]])
                w.writeheader()
                for i, (sample, row) in enumerate(zip(ds.samples, rows, strict=True)):
                    w.writerow({"sample": i, "source": sample.metadata.get("source", ""),
                                "signer": signers[i], **row})
            shown = range(min(4, len(lps)))
            posteriors_png([(f"ref: {' '.join(refs[i])}\nhyp: {' '.join(hyps[i])}", lps[i]) for i in shown],
                           run.vocabulary, out / "posteriors.png",
                           [run.stride / ds.samples[i].fps for i in shown])
        return {**report, "per_signer": per_signer}


def _score(run: ModelRun, prepared: Sequence[Pose], glosses: Sequence[str], merge: str | None,
           decoder: CTCDecoder
           ) -> tuple[list[np.ndarray], list[list[str]], list[list[str]], dict[str, float]]:
    """Log-probabilities, references, hypotheses and their gloss error rates (:func:`wer_report`)."""
    from signkit.reports.metrics import merge_fn
    from signkit.reports.wer import wer_report

    lps = run.log_probs(list(prepared))
    refs = [tokens(g) for g in glosses]
    hyps = [[seg.gloss for seg in decoder.decode(lp)] for lp in lps]
    return lps, refs, hyps, wer_report(refs, hyps, merge_fn(merge))


def decoder_for(run: ModelRun, beam_width: int | None = None, lm_order: int | None = None) -> CTCDecoder:
    """The run's decoder: its recipe's ``decode`` settings unless overridden; the language model is
    rebuilt from the run folder's training gloss sequences."""
    cfg = run.recipe.decode
    beam = cfg.beam_width if beam_width is None else beam_width
    order = cfg.lm_order if lm_order is None else lm_order
    lm = None
    if order > 0:
        corpus = Path(run.path) / LM_CORPUS
        lm = GlossLM((line.split() for line in corpus.read_text().splitlines()), order, cfg.lm_alpha,
                     cfg.lm_beta)
    return CTCDecoder(run.vocabulary, beam, lm)


def decode(run: ModelRun, prepared: Sequence[Pose], decoder: CTCDecoder) -> list[list[Segment]]:
    """Each pose's gloss segments, in output steps (``run.stride`` frames each)."""
    return [decoder.decode(lp) for lp in run.log_probs(list(prepared))]


def timed_glosses(run: ModelRun, pose: Pose,
                  decoder: CTCDecoder | None = None) -> list[tuple[str, float, float]]:
    """``[(gloss, start s, end s)]`` of one pose: each segment's output steps back to frames."""
    segments = decode(run, run.prepare([pose]), decoder or decoder_for(run))[0]
    frame = run.stride / pose.fps
    return [(s.gloss, s.start * frame, min(s.end * frame, pose.duration)) for s in segments]
