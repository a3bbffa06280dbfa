"""The `jobmatch` command: what operators type, so nobody needs Python module paths."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from app.settings import Settings, get_settings

logger = logging.getLogger("jobmatch")


def _credentials_path(settings: Settings) -> Path:
    return settings.var_dir / "demo-credentials.json"


def cmd_migrate(_: argparse.Namespace) -> int:
    from app.migrate import migrate

    migrate()
    sys.stdout.write("database migrated\n")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    port = args.port or int(os.environ.get("PORT", settings.port))
    uvicorn.run("app.main:create_app", factory=True, host=args.host or settings.host, port=port,
                log_level=settings.log_level.lower())
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from app.worker import run_worker

    run_worker(once=args.once)
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    from app.db import get_engine
    from app.demo.loader import add_population, has_demo_data, load_demo
    from app.pii import get_vault

    settings = get_settings()
    engine = get_engine()
    vault = get_vault(settings)
    path = _credentials_path(settings)
    if not has_demo_data(engine):
        credentials = load_demo(engine, vault, seekers=args.seekers or 2000, vacancies=args.vacancies or 200,
                                employers=args.employers or 20, seed=args.seed)
        if not args.no_history:
            from app.clock import today_shanghai
            from app.demo.history import add_history

            # A year of applications, placements, check-ins and batches, so the figures have a past.
            add_history(engine, seed=args.seed, today=today_shanghai())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(credentials.to_json(), ensure_ascii=False, indent=2))
        path.chmod(0o600)
        sys.stdout.write(f"demo data loaded; credentials written to {path}\n")
    elif args.seekers or args.vacancies:
        add_population(engine, vault, seekers=args.seekers or 0, vacancies=args.vacancies or 0, seed=args.seed + 1)
        sys.stdout.write(f"added {args.seekers or 0} seekers and {args.vacancies or 0} vacancies\n")
        return 0
    else:
        sys.stdout.write("demo data already present\n")
    if path.exists():
        _print_credentials(json.loads(path.read_text()), path)
    return 0


def _print_credentials(creds: dict[str, object], path: Path) -> None:
    stations = creds.get("stations", {})
    employers = creds.get("employers", {})
    assert isinstance(stations, dict) and isinstance(employers, dict)
    lines = [
        "",
        "Demo credentials (also in " + str(path) + "):",
        f"  admin (人社局):      {creds['admin']}",
    ]
    for code, key in list(stations.items())[:3]:
        lines.append(f"  station {code}: {key}")
    for name, key in list(employers.items())[:2]:
        lines.append(f"  employer {name}: {key}")
    lines.append(f"  … {len(stations)} stations and {len(employers)} employers in all")
    port = os.environ.get("PORT", str(get_settings().port))
    lines.append(f"Try: curl -H 'Authorization: Bearer <admin key>' http://127.0.0.1:{port}/api/v1/stations")
    lines.append(f"Pages: http://127.0.0.1:{port}/dashboard (admin key) · http://127.0.0.1:{port}/app (seeker)")
    sys.stdout.write("\n".join(lines) + "\n\n")


def cmd_create_key(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    from app.db import get_engine
    from app.models.employer import Employer
    from app.models.station import Station
    from app.services.access import issue_key

    with Session(get_engine()) as session:
        station_id = employer_id = None
        if args.role == "station":
            station = session.exec(select(Station).where(Station.code == args.station)).first()
            if station is None:
                sys.stderr.write(f"no station with code {args.station!r}\n")
                return 2
            station_id = station.id
        elif args.role == "employer":
            employer = session.get(Employer, args.employer)
            if employer is None:
                sys.stderr.write(f"no employer with id {args.employer!r}\n")
                return 2
            employer_id = employer.id
        issued = issue_key(session, args.role, station_id=station_id, employer_id=employer_id, label=args.label)
        session.commit()
    sys.stdout.write(issued.key + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobmatch", description="Ningbo labour-cooperation job matching service")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database to the current schema").set_defaults(func=cmd_migrate)
    serve = sub.add_parser("serve", help="serve the API (PORT or JOBMATCH_PORT, default 8000)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="run background work (expiry, deliveries)")
    worker.add_argument("--once", action="store_true", help="run one round and exit")
    worker.set_defaults(func=cmd_worker)
    demo = sub.add_parser("demo-data", help="load the demo data on first run, or add a synthetic population")
    demo.add_argument("--seekers", type=int)
    demo.add_argument("--vacancies", type=int)
    demo.add_argument("--employers", type=int)
    demo.add_argument("--seed", type=int, default=2018)
    demo.add_argument("--no-history", action="store_true", help="skip the year of placements history")
    demo.set_defaults(func=cmd_demo_data)
    key = sub.add_parser("create-key", help="create an API key and print it once")
    key.add_argument("--role", choices=["admin", "station", "employer"], required=True)
    key.add_argument("--station", help="station code, for a station key")
    key.add_argument("--employer", type=int, help="employer id, for an employer key")
    key.add_argument("--label")
    key.set_defaults(func=cmd_create_key)
    from app.imports.cli import add_parser as add_import_parser

    add_import_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic narrates every plugin it loads; operators only need to hear about problems.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
