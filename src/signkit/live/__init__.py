"""Live recognition: frame sources, the streaming :class:`Recognizer`, the ``signkit recognize``
pipeline and the live page's server."""

from signkit.live.recognizer import GlossEvent, Recognizer

__all__ = ["GlossEvent", "Recognizer"]
