"""Benchmarks: `make bench` runs every ``bench_*`` module (see ``__main__``)."""

from __future__ import annotations

import os
import platform
from typing import Any


def machine() -> dict[str, Any]:
    """What every figure was measured on; the same object on every line, whichever module printed it."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
