"""`jobmatch import seekers FILE --station CODE`: the clerk's command, same rules as the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from app.cli import main
from tests.factories import World
from tests.imports.sheets import csv_bytes, open_xlsx, person


def test_the_cli_validates_commits_and_writes_the_report(world: World, engine: Engine, app: FastAPI,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    station = world.station()
    code = world.client.get(f"/api/v1/stations/{station.id}", headers=station.headers).json()["code"]
    monkeypatch.setattr("app.db.get_engine", lambda: engine)
    monkeypatch.setattr("app.pii.get_vault", lambda settings=None: app.state.vault)
    bad = person("坏", 手机号="110")
    path = tmp_path / "登记表.csv"
    path.write_bytes(csv_bytes([person("好"), bad], encoding="gbk"))

    assert main(["import", "seekers", str(path), "--station", code]) == 1
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert (summary["mode"], summary["valid"], summary["stored"]) == ("validate", 1, 0)
    assert "第 3 行 手机号（***）" in err and bad["手机号"] not in err + out

    report = tmp_path / "结果.xlsx"
    assert main(["import", "seekers", str(path), "--station", code, "--mode", "commit", "--report",
                 str(report)]) == 1
    assert json.loads(capsys.readouterr().out)["stored"] == 1
    rows = list(open_xlsx(report.read_bytes())["数据"].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "坏"
    assert main(["import", "seekers", str(path), "--station", "NOPE"]) == 2
    listed = world.client.get("/api/v1/seekers", headers=station.headers).json()["items"]
    assert [s["name"] for s in listed] == ["好"]
