"""CTC decoding of per-step gloss log-probabilities ``(L, N)`` (class 0: blank): greedy, or beam
search through pyctcdecode with an optional n-gram gloss language model (NLTK's interpolated
Kneser-Ney) built from the training glosses.

A gloss is one token of pyctcdecode's "BPE" alphabet (``▁GLOSS``: every token starts a word), so
its words are glosses and its word frame offsets are the glosses' spans.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

BLANK = "<blank>"
_WORD_START = "▁"  # pyctcdecode's BPE word-start marker
_LOG2_TO_LN = math.log(2.0)


@dataclass(frozen=True)
class Segment:
    """One decoded gloss over output steps ``[start, end)``."""

    gloss: str
    start: int
    end: int


def greedy_path(log_probs: np.ndarray) -> list[tuple[int, int, int]]:
    """Best class per step, repeats merged, blanks dropped: ``[(class, start, end)]``."""
    best = np.asarray(log_probs).argmax(-1)
    if len(best) == 0:
        return []
    change = np.flatnonzero(np.diff(best)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(best)]])
    return [(int(best[s]), int(s), int(e)) for s, e in zip(starts, ends, strict=True) if best[s] != 0]


def greedy(log_probs: np.ndarray) -> list[int]:
    """The greedy decoding's class ids (blank is 0)."""
    return [c for c, _, _ in greedy_path(log_probs)]


class GlossLM:
    """An n-gram model over gloss sequences (sentence start and end included), for pyctcdecode.

    ``alpha`` weighs the LM's natural-log probability, ``beta`` is added per gloss (a length bonus),
    as in pyctcdecode's own KenLM wrapper. Glosses the training data never had score ``unk_logp``.
    """

    def __init__(self, sentences: Iterable[Sequence[str]], order: int = 3, alpha: float = 0.5,
                 beta: float = 0.0, unk_logp: float = -10.0):
        from nltk.lm import KneserNeyInterpolated
        from nltk.lm.preprocessing import padded_everygram_pipeline

        self._order, self.alpha, self.beta, self.unk_logp = order, alpha, beta, unk_logp
        ngrams, vocab = padded_everygram_pipeline(order, [list(s) for s in sentences])
        self.model = KneserNeyInterpolated(order)
        self.model.fit(ngrams, vocab)
        self._cache: dict[tuple[str, tuple[str, ...]], float] = {}

    @property
    def order(self) -> int:
        return self._order

    def logp(self, gloss: str, context: tuple[str, ...]) -> float:
        """Natural-log probability of ``gloss`` after ``context`` (floored at ``unk_logp``)."""
        key = (gloss, context)
        if key not in self._cache:
            score = self.model.logscore(gloss, list(context)) * _LOG2_TO_LN
            self._cache[key] = max(score, self.unk_logp) if math.isfinite(score) else self.unk_logp
        return self._cache[key]

    def start(self) -> tuple[str, ...]:
        return ("<s>",) * (self._order - 1)

    def as_pyctcdecode(self):
        """This model behind pyctcdecode's language-model interface."""
        from pyctcdecode.language_model import AbstractLanguageModel

        lm = self

        class _Adapter(AbstractLanguageModel):
            order = lm.order

            def get_start_state(self):
                return lm.start()

            def score_partial_token(self, partial_token: str) -> float:
                return 0.0  # glosses are whole tokens: no partial words

            def score(self, prev_state, word: str, is_last_word: bool = False):
                state = (*prev_state, word)[1:] if lm.order > 1 else ()
                logp = lm.logp(word, tuple(prev_state))
                if is_last_word:
                    logp += lm.logp("</s>", state)
                return lm.alpha * logp + lm.beta, state

        return _Adapter()


def _quiet_pyctcdecode() -> None:
    """pyctcdecode logs a KenLM-missing warning at import and an "UNK token" one per alphabet:
    neither applies to gloss alphabets with our own language model."""
    import logging

    logging.getLogger("pyctcdecode").setLevel(logging.ERROR)


class CTCDecoder:
    """``decode(log_probs (L, N)) -> [Segment]`` over ``vocabulary`` (index 0: blank).

    ``beam_width`` 0 or 1 decodes greedily (a language model has no say there); above that,
    pyctcdecode's beam search, with ``lm`` when given.
    """

    def __init__(self, vocabulary: Sequence[str], beam_width: int = 0, lm: GlossLM | None = None):
        self.vocabulary, self.beam_width = list(vocabulary), beam_width
        self.lm = lm if beam_width > 1 else None
        self._beam = None
        if beam_width > 1:
            _quiet_pyctcdecode()
            from pyctcdecode import Alphabet, BeamSearchDecoderCTC

            labels = ["", *(_WORD_START + g for g in self.vocabulary[1:])]
            self._beam = BeamSearchDecoderCTC(Alphabet.build_alphabet(labels),
                                              self.lm.as_pyctcdecode() if self.lm is not None else None)

    def describe(self) -> dict[str, object]:
        lm = self.lm
        return {"beam_width": self.beam_width if self._beam is not None else 0,
                "lm": None if lm is None else {"order": lm.order, "alpha": lm.alpha, "beta": lm.beta}}

    def decode(self, log_probs: np.ndarray) -> list[Segment]:
        if self._beam is None:
            return [Segment(self.vocabulary[c], s, e) for c, s, e in greedy_path(log_probs)]
        if len(log_probs) == 0:
            return []
        best = self._beam.decode_beams(np.asarray(log_probs, dtype=np.float32), beam_width=self.beam_width)[0]
        return [Segment(word, start, end) for word, (start, end) in best[2]]
