"""JSON-lines progress on stdout: one object per line, each with an "event" name and a time.

The gateway's worker reads these lines and turns them into fine-tuning job events. Only the main
process of a distributed run prints; everything else the libraries say goes to stderr.
"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import Any, TextIO

# Exit codes: the worker tells the outcomes apart by these.
EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_INVALID_INPUT = 2  # bad dataset or arguments: retrying will not help
EXIT_CANCELLED = 143  # 128 + SIGTERM (also used for SIGINT)


def _clean(value: Any) -> Any:
    """JSON has no NaN or infinity: such floats become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


class EventWriter:
    """Writes events as JSON lines; a writer with enabled=False (non-main ranks) writes nothing."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self.enabled = enabled

    def emit(self, event: str, **fields: Any) -> None:
        if not self.enabled:
            return
        record = {"event": event, "time": round(time.time(), 3), **_clean(fields)}
        self._stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._stream.flush()
