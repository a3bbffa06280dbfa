"""Runs every benchmark module and prints one JSON object per measurement (a contract scripts read).

Each line carries "bench" (the name), the machine, and the module's own figures. BENCH_SEEKERS and
BENCH_VACANCIES scale the populations down for a quick run; BENCH_ONLY=name,name picks modules.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time
from typing import Any

import benchmarks
from benchmarks import machine


def main() -> int:
    only = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
    info = machine()
    failures = 0

    def emit(record: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps({**record, "machine": info}, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    for module in sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")):
        if only and module.removeprefix("bench_") not in only and module not in only:
            continue
        started = time.perf_counter()
        try:
            importlib.import_module(f"benchmarks.{module}").run(emit)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failures += 1
            emit({"bench": f"{module}.error", "error": f"{type(exc).__name__}: {exc}"})
        sys.stderr.write(f"{module}: {time.perf_counter() - started:.1f} s\n")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
