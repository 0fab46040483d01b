"""`childindex feeds first-load` as an operator runs it: a country's four feeds into an empty
index at once (ADR 0026), refused with one line when it cannot run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FEEDS = (
    ("health", "health.jsonl"),
    ("school", "school.csv"),
    ("benefit", "benefit.csv"),
    ("la", "la.jsonl"),
)


def _records(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return len(lines) - (1 if path.suffix == ".csv" else 0)


def test_a_first_load_through_the_cli_then_a_second_is_refused(cli: Any, tmp_path: Path) -> None:
    country = tmp_path / "c"
    made = cli(
        "synth",
        "--children",
        "400",
        "--seed",
        "4",
        "--out",
        str(country),
        "--shielded-rate",
        "0.05",
    )
    assert made.returncode == 0, made.stderr
    assert cli("matching", "train", "--from", str(country)).returncode == 0
    files = [arg for feed, name in FEEDS for arg in (f"--{feed}", str(country / name))]
    done = cli("feeds", "first-load", *files, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # stdout is the report alone
    by_source = {f["source"]: f for f in report["files"]}
    for feed, name in FEEDS:
        counts = by_source[feed]
        assert counts["accepted"] == _records(country / name), feed
        assert counts["accepted"] == counts["linked"] + counts["review"] + counts["new"]
        assert (country / f"{name}.errors.jsonl").exists()
    assert report["model"] is not None
    assert 0 < report["shielded_children"] <= report["children"]
    exported = cli("export", "links", "--out", str(tmp_path / "links.csv"))
    assert exported.returncode == 0, exported.stderr
    links = (tmp_path / "links.csv").read_text(encoding="utf-8").splitlines()
    assert len(links) - 1 == sum(_records(country / name) for _, name in FEEDS)

    again = cli("feeds", "first-load", *files)
    assert again.returncode != 0
    assert "already holds source records" in again.stderr
    assert "feeds load" in again.stderr


def test_a_first_load_without_a_model_or_files_says_what_to_do(cli: Any, tmp_path: Path) -> None:
    country = tmp_path / "c"
    assert cli("synth", "--children", "5", "--seed", "3", "--out", str(country)).returncode == 0
    none = cli("feeds", "first-load")
    assert none.returncode != 0
    assert "--health" in none.stderr
    missing = cli("feeds", "first-load", "--health", str(country / "nothing.jsonl"))
    assert missing.returncode != 0
    assert "no such file" in missing.stderr
    untrained = cli("feeds", "first-load", "--health", str(country / "health.jsonl"))
    assert untrained.returncode != 0
    assert "childindex matching train" in untrained.stderr


def test_a_bulk_load_through_the_cli_grows_the_children_a_first_load_made(
    cli: Any, tmp_path: Path
) -> None:
    """The health feed first, then the other three at once onto it (ADR 0027); the same
    school file again changes nothing and says so."""
    country = tmp_path / "c"
    made = cli("synth", "--children", "400", "--seed", "6", "--out", str(country))
    assert made.returncode == 0, made.stderr
    assert cli("matching", "train", "--from", str(country)).returncode == 0
    first = cli("feeds", "first-load", "--health", str(country / "health.jsonl"), "--json")
    assert first.returncode == 0, first.stderr
    files = [arg for feed, name in FEEDS[1:] for arg in (f"--{feed}", str(country / name))]
    done = cli("feeds", "bulk-load", *files, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    for counts in report["files"]:
        assert counts["accepted"] == counts["linked"] + counts["review"] + counts["new"]
    assert report["grown_children"] > 0  # health children given their school records
    assert report["children"] < report["grown_children"]
    exported = cli("export", "links", "--out", str(tmp_path / "links.csv"))
    assert exported.returncode == 0, exported.stderr
    links = (tmp_path / "links.csv").read_text(encoding="utf-8").splitlines()
    assert len(links) - 1 == sum(_records(country / name) for _, name in FEEDS)

    again = cli("feeds", "bulk-load", "--school", str(country / "school.csv"))
    assert again.returncode == 0, again.stderr
    school = _records(country / "school.csv")
    assert f"{school:,} accepted" in again.stdout
    assert f"{school:,} unchanged" in again.stdout
    assert "0 children" in again.stdout
