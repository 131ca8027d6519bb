"""Native libraries' notes written straight to file descriptor 2 (C++ logging that Python's
warnings filters never see), held back while everything else still reaches stderr."""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def filtered_stderr(noise: re.Pattern[bytes]) -> Iterator[None]:
    """While inside, what is written to file descriptor 2 passes through a filter that drops the
    lines ``noise`` matches at their start; everything else reaches stderr, so real errors still
    show."""
    sys.stderr.flush()
    saved = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def forward() -> None:
        pending = b""
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                *lines, pending = (pending + chunk).split(b"\n")
                kept = b"".join(line + b"\n" for line in lines if not noise.match(line))
                if kept:
                    os.write(saved, kept)
        if pending and not noise.match(pending):
            os.write(saved, pending)

    thread = threading.Thread(target=forward, name="stderr-filter", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe's last write end: the thread reads to its end
        thread.join(5)
        os.close(saved)
