"""Running the service: ``serve`` and ``demo``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import pyotp
import typer
import uvicorn

from childindex import bootstrap
from childindex.cli.data import load_file
from childindex.cli.matching import train_model
from childindex.cli.output import fail, out
from childindex.config import Settings
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source
from childindex.feeds.areas import read_areas
from childindex.main import create_app
from childindex.services import accounts, areas
from childindex.storage.migrate import upgrade
from childindex.synth import generate, write_areas

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]


def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Run the web service."""
    # proxy_headers=False: only CHILDINDEX_TRUSTED_PROXIES decides whom X-Forwarded-For is
    # believed from (web/forwarded.py); uvicorn would otherwise believe any local peer.
    uvicorn.run(
        create_app(),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        proxy_headers=False,
    )


def _demo_la(country: Path) -> str:
    """The local authority with the most shielded children in the demo country."""
    counts: dict[str, int] = {}
    with (country / "la.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("shield") and record.get("la_code"):
                counts[record["la_code"]] = counts.get(record["la_code"], 0) + 1
    return max(counts, key=lambda code: counts[code]) if counts else "901"


def demo(
    children: Annotated[int, typer.Option(min=100, help="Children in the demo country.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the demo country.")] = 2026,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Fresh demo database, a synthetic country, every feed loaded, demo users; then serve."""
    var = Path("var")
    database = var / "demo.db"
    url = os.environ.get("CHILDINDEX_DATABASE_URL") or f"sqlite:///{database}"
    if url.startswith("sqlite") and database.exists() and url.endswith(str(database)):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    country = var / f"demo-country-{children}-{seed}"
    if not (country / "truth.csv").exists():
        out.print(f"generating a synthetic country of {children:,} children ...")
        generate(children, seed, country)
    model = country / "model.json"
    if not model.is_file():
        # Without a trained model only shared identifiers link, and benefit records (which
        # carry none) would each become a new child: train on the demo country first.
        out.print("training the linkage model on the demo country ...")
        train_model(from_dir=country, out_path=model, seed=1, as_json=False)
    settings = Settings(database_url=url, model_path=model)
    if settings.mode != "dev":
        fail("the demo runs only in dev mode")
    upgrade(url)
    container = bootstrap.build(settings)
    # Routing first, so that children with no la record get their postcode district's
    # authority as they are loaded (ADR 0007).
    areas_file = write_areas(children, seed, country)
    mapped = read_areas(areas_file.read_bytes(), filename=areas_file.name)
    areas.load_areas(
        uow=container.uow_factory(), areas=mapped.areas, actor="demo", now=container.clock()
    )
    out.print(f"{len(mapped.areas):,} postcode districts mapped to their local authorities")
    for source in Source:
        path = (
            country / f"{source.value}.{'jsonl' if source in (Source.HEALTH, Source.LA) else 'csv'}"
        )
        load_file(source, path, as_json=False, container=container)
    now = container.clock()
    la_code = _demo_la(country)
    out.print("\n[bold]Demo users[/bold] (synthetic; dev mode only):")
    for username, role, org in (
        ("demo-practitioner", Role.PRACTITIONER, "Exampleton Health Visiting (NHS)"),
        ("demo-officer", Role.LA_OFFICER, f"Local authority {la_code}"),
        ("demo-admin", Role.ADMIN, "National operations"),
        ("demo-feed", Role.FEED, "Health demographics feed"),
    ):
        created = accounts.create_user(
            uow=container.uow_factory(),
            hasher=container.hasher,
            username=username,
            role=role,
            la_code=la_code if role is Role.LA_OFFICER else None,
            organisation=org,
            vetting_expires=None if role is Role.FEED else now.date().replace(year=now.year + 1),
            password=None,
            totp_secret=pyotp.random_base32(),
            actor="demo",
            now=now,
        )
        secret = f"  TOTP secret: {created.totp_secret}" if created.totp_secret else ""
        out.print(f"  {username:<18} password: {created.password}{secret}", markup=False)
    token = accounts.create_token(
        uow=container.uow_factory(),
        username="demo-practitioner",
        expires_in=None,
        actor="demo",
        now=now,
    )
    out.print(f"\nAPI token for demo-practitioner: {token}", markup=False)
    out.print(
        f"try: curl -H 'Authorization: Bearer {token}' 'http://{host}:{port}/api/v1/children?family_name=Smith'",
        markup=False,
    )
    if serve_after:
        out.print(f"\nserving at http://{host}:{port} (Ctrl-C to stop)")
        uvicorn.run(
            create_app(container),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
        )
