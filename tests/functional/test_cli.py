"""The command line as an operator uses it: synth, load, rescore, reindex, users, tokens, audit."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, text

from childindex.config import DEV_DATA_KEY
from childindex.domain.identifiers import is_valid_nhs_number
from childindex.matching.blocking import index_keys, keys_version
from childindex.matching.features import features_of
from childindex.storage.cipher import FieldCipher
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from matching_model import hand_model, review_band_pair, review_band_probability


def test_synth_load_and_reload_through_the_cli(cli: object, tmp_path: Path) -> None:
    run = cli  # type: ignore[assignment]
    made = run("synth", "--children", "300", "--seed", "7", "--out", str(tmp_path / "c"), "--json")
    assert made.returncode == 0, made.stderr
    health = tmp_path / "c" / "health.jsonl"
    lines = health.read_text(encoding="utf-8").splitlines()
    assert all(is_valid_nhs_number(json.loads(line)["nhs_number"]) for line in lines)
    first = run("feeds", "load", "health", str(health), "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["model"] is None  # no model trained in this directory yet
    assert report["accepted"] == len(lines)
    assert report["rejected"] == 0
    assert report["new"] + report["linked"] == len(lines)
    again = json.loads(run("feeds", "load", "health", str(health), "--json").stdout)
    assert again["unchanged"] == len(lines)
    assert again["new"] == again["linked"] == 0


def test_a_load_without_a_trained_model_says_what_to_run(cli: object, tmp_path: Path) -> None:
    run = cli  # type: ignore[assignment]
    assert (
        run("synth", "--children", "5", "--seed", "3", "--out", str(tmp_path / "c")).returncode == 0
    )
    done = run("feeds", "load", "health", str(tmp_path / "c" / "health.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "verified identifiers only" in done.stderr
    assert "childindex matching train" in done.stderr
    assert "childindex matching rescore" in done.stderr


def test_matching_train_trains_on_the_records_held(cli: object, tmp_path: Path) -> None:
    # The contract's `matching train`: no --from, the current version of every record held
    # (streamed from the store, as a national index's would have to be).
    run = cli  # type: ignore[assignment]
    country = tmp_path / "c"
    assert run("synth", "--children", "400", "--seed", "5", "--out", str(country)).returncode == 0
    held = 0
    for feed, name in (("health", "health.jsonl"), ("school", "school.csv")):
        loaded = run("feeds", "load", feed, str(country / name), "--json")
        assert loaded.returncode == 0, loaded.stderr
        held += json.loads(loaded.stdout)["accepted"]
    done = run("matching", "train", "--out", str(tmp_path / "m.json"), "--json")
    assert done.returncode == 0, done.stderr
    model = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert json.loads(done.stdout)["records"] == model["records"] == held
    assert sum(model["tf_totals"].values()) > 0
    for name in ("forename", "surname", "dob"):
        top = model["levels"][name]["exact"]
        assert top["m"] > top["u"], name


def test_a_bad_record_is_reported_with_line_and_field_and_the_load_goes_on(
    cli: object, tmp_path: Path
) -> None:
    run = cli  # type: ignore[assignment]
    feed = tmp_path / "health.jsonl"
    good = {
        "record_id": "A",
        "given_name": "Ada",
        "family_name": "Lovell",
        "sex": "F",
        "birth_date": "2016-01-02",
        "nhs_number": "9990000018",
    }
    feed.write_text(
        json.dumps(good)
        + "\n"
        + json.dumps({**good, "record_id": "B", "nhs_number": "9990000017"})
        + "\n{not json\n",
        encoding="utf-8",
    )
    done = run("feeds", "load", "health", str(feed), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["accepted"], report["rejected"]) == (1, 2)
    errors = [
        json.loads(line)
        for line in (tmp_path / "health.jsonl.errors.jsonl").read_text().splitlines()
    ]
    assert {(e["line"], e["field"]) for e in errors} == {(2, "nhs_number"), (3, None)}
    assert all(e["file"] == "health.jsonl" and e["message"] for e in errors)


def test_an_unreadable_file_fails_with_one_line(cli: object, tmp_path: Path) -> None:
    run = cli  # type: ignore[assignment]
    done = run("feeds", "load", "health", str(tmp_path / "missing.jsonl"))
    assert done.returncode != 0
    assert done.stderr.strip().startswith("error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    folder = run("feeds", "load", "health", str(tmp_path))
    assert folder.returncode != 0
    assert folder.stderr.strip() == f"error: {tmp_path} is a directory: name one feed file in it"


def test_users_tokens_and_a_tampered_audit_log(cli: object, engine: Engine) -> None:
    run = cli  # type: ignore[assignment]
    made = run(
        "users",
        "create",
        "pat",
        "--role",
        "practitioner",
        "--password-stdin",
        "--json",
        stdin="a long enough passphrase\n",
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["totp_secret"]
    token = run("tokens", "create", "pat", "--expires-in", "1h").stdout.strip()
    assert token.startswith("ci_")
    assert run("tokens", "create", "nobody").returncode != 0
    assert run("audit", "verify").returncode == 0
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))
    broken = run("audit", "verify")
    assert broken.returncode != 0
    assert "altered" in broken.stderr


def test_rescore_reports_the_doubtful_pairs_it_queued_for_review(
    cli: object, tmp_path: Path
) -> None:
    run = cli  # type: ignore[assignment]
    pair = review_band_pair()
    review_band_probability(*pair)
    feed = tmp_path / "la.jsonl"
    feed.write_text("".join(json.dumps(record) + "\n" for record in pair), encoding="utf-8")
    loaded = run("feeds", "load", "la", str(feed), "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["new"] == 2  # no model yet: two children
    model = tmp_path / "var" / "models" / "model.json"  # the default model path, from cwd
    model.parent.mkdir(parents=True)
    model.write_text(json.dumps(hand_model()), encoding="utf-8")
    done = run("matching", "rescore", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["examined"], report["queued_for_review"], report["relinked"]) == (2, 1, 0)


def test_reindex_recomputes_keys_made_under_other_rules(
    cli: object, tmp_path: Path, engine: Engine
) -> None:
    run = cli  # type: ignore[assignment]
    feed = tmp_path / "la.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in review_band_pair()), encoding="utf-8")
    assert run("feeds", "load", "la", str(feed)).returncode == 0
    count = "SELECT count(*) FROM record_blocking_keys"
    with engine.begin() as connection:
        stored = connection.execute(text(count)).scalar_one()
        # Keys as other rules (or another data key) made them: today's rules find none.
        connection.execute(text("UPDATE record_blocking_keys SET key = 'old' || key"))
    done = run("matching", "reindex", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"records": 2, "keys_version": keys_version()}
    factory = SqlUnitOfWorkFactory(engine, cipher=FieldCipher(DEV_DATA_KEY))
    with factory() as uow:
        held = list(uow.records.all_current())
        assert len(held) == 2
        for source, record_id, payload in held:
            for key in index_keys(features_of(payload)):
                found = uow.children.by_blocking_keys([key], limit=10)
                assert (source.value, record_id) in {(c.source, c.record_id) for c in found}
    with engine.connect() as connection:
        assert connection.execute(text(count)).scalar_one() == stored
        audited = "SELECT count(*) FROM audit_events WHERE tag = 'matching:reindex'"
        assert connection.execute(text(audited)).scalar_one() == 1


def test_matching_against_keys_of_other_rules_is_refused_until_reindex(
    cli: object, tmp_path: Path, engine: Engine
) -> None:
    run = cli  # type: ignore[assignment]
    first, later = review_band_pair()
    feed = tmp_path / "la.jsonl"
    feed.write_text(json.dumps(first) + "\n", encoding="utf-8")
    assert run("feeds", "load", "la", str(feed)).returncode == 0
    factory = SqlUnitOfWorkFactory(engine, cipher=FieldCipher(DEV_DATA_KEY))
    with factory() as uow:
        assert uow.system.keys_version() == keys_version()  # the first load recorded it
        # As after an upgrade whose rules make other keys than those stored.
        uow.system.set_keys_version("2020-01-01.older")
        uow.commit()
    held = "SELECT (SELECT count(*) FROM source_records), (SELECT count(*) FROM feed_loads)"
    with engine.connect() as connection:
        before = connection.execute(text(held)).one()
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps(later) + "\n", encoding="utf-8")
    for refused in (run("feeds", "load", "la", str(more)), run("matching", "rescore")):
        assert refused.returncode == 1
        assert refused.stderr.count("\n") == 1, refused.stderr
        assert "made by rules 2020-01-01.older" in refused.stderr
        assert "`childindex matching reindex`" in refused.stderr
    with engine.connect() as connection:
        assert connection.execute(text(held)).one() == before  # nothing stored, not even a load
    assert run("matching", "reindex").returncode == 0
    done = run("feeds", "load", "la", str(more), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accepted"] == 1


def test_reindex_with_an_unusable_data_key_fails_in_one_line(cli: object, tmp_path: Path) -> None:
    run = cli  # type: ignore[assignment]
    (tmp_path / ".env").write_text("CHILDINDEX_DATA_KEY=c2hvcnQ=\n", encoding="utf-8")  # 5 bytes
    done = run("matching", "reindex")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: the data key must be 32 bytes (base64 of 32 random bytes)"
