"""Benchmark: a station's 100,000-row .xlsx validated, then committed, on a fresh SQLite database.

Prints one JSON line: {"bench": "import.seekers_100k", "rows": 100000, "seconds": <commit>,
"validate_seconds": ..., "peak_rss_mb": ..., ...}. BENCH_IMPORT_ROWS scales it down (CI, laptops).
Run: `python -m benchmarks.bench_import` or `python benchmarks/bench_import.py`.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlmodel import Session

from app.db import make_engine
from app.imports.files import ImportOptions, import_file
from app.imports.xlsx import WorkbookWriter
from app.migrate import migrate
from app.models.family import Family
from app.models.seeker import Seeker
from app.models.station import StationCreate
from app.pii import Vault
from app.services.stations import create_station
from app.validation.identity import make_resident_id

ORIGINS = ("522301", "522302", "522323", "522324", "522325", "522326", "522327", "522328", "222401", "222403")
SKILLS = ("电焊工", "叉车司机", "普工", "装配工", "缝纫工", "数控操作工", "质检员", "包装工", "电工", "保安")
DISTRICTS = ("北仑区", "镇海区", "海曙区", "鄞州区", "慈溪市", "余姚市")
FIRST_BIRTH = date(1965, 1, 1)
HEADER = ("姓名", "身份证号", "手机号", "户籍地", "是否建档立卡", "建档立卡证明编号", "技能", "技能等级", "证书",
          "意向区域", "期望月薪", "可到岗日期", "同意匹配", "同意推送", "家庭编号", "亲情岗位")


def write_file(path: Path, rows: int) -> None:
    """Valid, distinct people; every 50th pair of rows is a married couple (家庭编号 + 亲情岗位)."""
    with path.open("wb") as out:
        workbook = WorkbookWriter(out)
        with workbook.sheet("求职者") as sheet:
            sheet.append(list(HEADER))
            for i in range(rows):
                sheet.append(_row(i, rows))
        workbook.close()


def _row(i: int, rows: int) -> list[Any]:
    couple = (i // 2) % 50 == 0 and i + 1 < rows - (rows % 2)
    sex = ("male" if i % 2 == 0 else "female") if couple else ("male" if i % 3 else "female")
    number = make_resident_id(ORIGINS[i % len(ORIGINS)], FIRST_BIRTH + timedelta(days=i % 12000), i // 12000 * 2, sex)
    poor = i % 7 == 0
    return [
        f"测试{i}", number, f"139{i:08d}", ORIGINS[i % len(ORIGINS)], "是" if poor else "否",
        f"JDLK-{i}" if poor else None, f"{SKILLS[i % 10]}、{SKILLS[(i + 3) % 10]}", "中级", "上岗证",
        f"{DISTRICTS[i % 6]}、{DISTRICTS[(i + 1) % 6]}", 4000 + (i % 40) * 100,
        date(2025, 3, 1) + timedelta(days=i % 60), "是", "是",
        f"F{i // 2}" if couple else None, "夫妻" if couple else None,
    ]


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _calibration_seconds() -> float:
    """A fixed pure-Python loop: on a shared machine, the figures scale with it."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return round(time.perf_counter() - started, 2)


def run(emit: Callable[[dict[str, Any]], None]) -> None:
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
    calibration = _calibration_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate(url)
        engine = make_engine(url)
        vault = Vault(Fernet.generate_key())
        with Session(engine, expire_on_commit=False) as session:
            station = create_station(session, StationCreate(code="BENCH", name="压测工作站", region_code="522325"))
            session.commit()
        path = Path(tmp) / "seekers.xlsx"
        started = time.perf_counter()
        write_file(path, rows)
        generate_seconds = time.perf_counter() - started
        rss_before = _peak_rss_mb()
        timings: dict[str, float] = {}
        reports: dict[str, Any] = {}
        for mode in ("validate", "commit"):
            with Session(engine, expire_on_commit=False) as session, path.open("rb") as handle:
                options = ImportOptions(mode=mode, checkpoint=session.commit)  # type: ignore[arg-type]
                started, cpu = time.perf_counter(), time.process_time()
                report = import_file("seekers", session, vault, station, handle, path.name, options)
                session.commit()
                timings[mode] = time.perf_counter() - started
                timings[mode + "_cpu"] = time.process_time() - cpu
                reports[mode] = report
        with Session(engine) as session:
            stored = session.execute(select(func.count()).select_from(Seeker)).scalar_one()
            families = session.execute(select(func.count()).select_from(Family)).scalar_one()
        engine.dispose()
        commit = reports["commit"]
        if commit.errors or stored != rows:
            raise SystemExit(f"benchmark import failed: {len(commit.errors)} errors, {stored} stored")
        emit({
            "bench": "import.seekers_100k",
            "rows": rows,
            "seconds": round(timings["commit"], 2),
            "validate_seconds": round(timings["validate"], 2),
            # CPU time of this process: what the machine's other load does not inflate.
            "cpu_seconds": round(timings["commit_cpu"], 2),
            "validate_cpu_seconds": round(timings["validate_cpu"], 2),
            "load_average": round(os.getloadavg()[0], 1),
            "loop_10m_seconds": calibration,
            "peak_rss_mb": _peak_rss_mb(),
            "rss_before_import_mb": rss_before,
            "file_mb": round(path.stat().st_size / 2**20, 1),
            "generate_seconds": round(generate_seconds, 2),
            "families": families,
            "database": "sqlite",
        })


if __name__ == "__main__":
    run(lambda record: print(json.dumps(record, ensure_ascii=False), flush=True))
