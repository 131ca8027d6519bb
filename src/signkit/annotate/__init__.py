"""Gloss annotation web tool for continuous signing corpora (the ``annotate`` extra).

Layers: ``db`` (engine, migrations) and ``models`` (tables); ``media`` (cutting videos into
clips) and ``transcripts``; ``services`` (every rule: assignment, submission, time, users);
``reports`` (progress, pay, agreement, statistics, exports); ``web`` (FastAPI routes, security)
over ``templates`` and ``static``; ``cli`` (``signkit annotate ...``).
"""
