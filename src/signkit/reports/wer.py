"""Gloss error rates of continuous recognition through jiwer: WER with substitutions, deletions
and insertions, sentence error rate, per-sample alignments."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def _process(refs: Sequence[Sequence[str]], hyps: Sequence[Sequence[str]]):
    import jiwer

    return jiwer.process_words([" ".join(r) for r in refs], [" ".join(h) for h in hyps])


def wer_report(refs: Sequence[Sequence[str]], hyps: Sequence[Sequence[str]],
               merge: Callable[[str], str] | None = None) -> dict[str, float]:
    """``wer`` (S + D + I over reference glosses), its ``sub``, ``del``, ``ins`` shares, ``ser``
    (share of sequences with any error) and, with ``merge``, ``merged_wer`` after mapping every
    gloss of both sides through it (e.g. a question and its statement as one word)."""
    if not refs:
        return {}
    out = _process(refs, hyps)
    n = sum(len(r) for r in refs)
    report = {"wer": out.wer, "sub": out.substitutions / n, "del": out.deletions / n,
              "ins": out.insertions / n,
              "ser": float(np.mean([list(r) != list(h) for r, h in zip(refs, hyps, strict=True)]))}
    if merge is not None:
        report["merged_wer"] = _process([[merge(g) for g in r] for r in refs],
                                        [[merge(g) for g in h] for h in hyps]).wer
    return report


def alignment_rows(refs: Sequence[Sequence[str]], hyps: Sequence[Sequence[str]]) -> list[dict[str, object]]:
    """Per sample: reference, hypothesis, counts of S, D, I and the alignment written out
    (``A [B->X] (-C) (+D)``: B substituted by X, C deleted, D inserted)."""
    out = _process(refs, hyps)
    rows = []
    for ref, hyp, chunks in zip(refs, hyps, out.alignments, strict=True):
        words, counts = [], {"substitute": 0, "delete": 0, "insert": 0}
        for c in chunks:
            r, h = ref[c.ref_start_idx:c.ref_end_idx], hyp[c.hyp_start_idx:c.hyp_end_idx]
            if c.type == "equal":
                words += r
                continue
            counts[c.type] += max(len(r), len(h))
            if c.type == "substitute":
                words += [f"[{a}->{b}]" for a, b in zip(r, h, strict=True)]
            elif c.type == "delete":
                words += [f"(-{a})" for a in r]
            else:
                words += [f"(+{b})" for b in h]
        rows.append({"reference": " ".join(ref), "hypothesis": " ".join(hyp),
                     "S": counts["substitute"], "D": counts["delete"], "I": counts["insert"],
                     "alignment": " ".join(words)})
    return rows
