"""``verify_ledger``: recompute the hash chain, name the first break, check published heads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry import store, treebuild
from registry.guards import chain_guard_off
from registry.ledger import GENESIS_HASH, event_hash
from registry.models import LedgerHead, StoredEvent
from tests.registry.factories import add, open_counter, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events() -> list[tuple[int, str]]:
    """Append five events; return the ledger head after each of them."""
    heads = []
    open_counter("a")
    heads.append(store.head())
    for version in (1, 2):
        add("a", str(version), expected_version=version)
        heads.append(store.head())
    open_counter("b", "9")
    heads.extend([(4, store.read_stream("counter", "b")[0].hash), store.head()])
    return heads


def test_an_intact_log_verifies_and_prints_its_head(
    five_events: list[tuple[int, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("verify_ledger")

    out, err = capsys.readouterr()
    position, head_hash = five_events[-1]
    assert f"Chain intact: 5 events, head {position}:{head_hash}" in out
    assert "Read models equal a fresh replay." in out
    assert out.rstrip().endswith("Ledger verified.")
    assert "verifying chain" in err
    assert "verifying chain" not in out


def test_an_empty_log_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("verify_ledger")

    assert f"Chain intact: 0 events, head 0:{GENESIS_HASH}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "change",
    [
        {"data": {"amount": "2000", "on": "2025-05-03"}},
        {"metadata": {"actor_kind": "staff", "source": "admin"}},
        {"occurred_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        {"recorded_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        {"stream_id": "z"},
        {"event_type": "test.CounterOpened"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_changed_event_is_named_by_its_position(
    five_events: list[tuple[int, str]], change: dict[str, Any]
) -> None:
    tamper(3, **change)

    with pytest.raises(
        CommandError,
        match=r"^Ledger broken at position 3: stored hash does not match the event's contents\.$",
    ):
        call_command("verify_ledger")


def test_a_changed_event_whose_hash_was_recomputed_breaks_the_next_link(
    five_events: list[tuple[int, str]],
) -> None:
    row = StoredEvent.objects.filter(position=3).values().get()
    row["data"] = {"amount": "2000", "on": "2025-05-03"}
    tamper(3, data=row["data"], hash=event_hash(row))

    with pytest.raises(CommandError, match=r"^Ledger broken at position 4: prev_hash does not"):
        call_command("verify_ledger")


def test_a_removed_event_is_named_by_its_position(five_events: list[tuple[int, str]]) -> None:
    tamper(3, position=103)

    with pytest.raises(CommandError, match=r"^Ledger broken at position 3: position 3 is missing"):
        call_command("verify_ledger")


def test_a_ledger_head_that_disagrees_with_the_log_fails(
    five_events: list[tuple[int, str]],
) -> None:
    with chain_guard_off():  # as the tables' owner could; the application's role cannot
        LedgerHead.objects.filter(pk=1).update(position=7)

    with pytest.raises(CommandError, match="head says position 7 but the log holds 5 events"):
        call_command("verify_ledger")


def test_a_ledger_head_hash_that_is_not_the_last_events_fails(
    five_events: list[tuple[int, str]],
) -> None:
    with chain_guard_off():
        LedgerHead.objects.filter(pk=1).update(hash=five_events[2][1])

    with pytest.raises(CommandError, match="head's hash is not the hash of event 5"):
        call_command("verify_ledger")


def test_a_published_head_matches_while_the_log_is_intact(
    five_events: list[tuple[int, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    early, late = five_events[2], five_events[4]

    call_command(
        "verify_ledger",
        "--checkpoint",
        f"{early[0]}:{early[1]}",
        "--checkpoint",
        f" {late[0]}:{late[1].upper()} ",
    )

    out = capsys.readouterr().out
    assert f"Checkpoint 3:{early[1]} matches." in out
    assert f"Checkpoint 5:{late[1]} matches." in out
    assert "Ledger verified." in out


def test_a_published_head_catches_a_rewritten_history(
    five_events: list[tuple[int, str]],
) -> None:
    # Rewrite event 3 and re-chain everything after it: the chain alone looks intact.
    rows = list(store.read_all_rows())
    rows[2]["data"] = {"amount": "2000", "on": "2025-05-03"}
    prev = rows[1]["hash"]
    for row in rows[2:]:
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(row)
        tamper(row["position"], data=row["data"], prev_hash=row["prev_hash"], hash=row["hash"])
    with chain_guard_off():
        LedgerHead.objects.filter(pk=1).update(hash=prev)
    treebuild.rebuild()  # the Merkle tree made anew over the rewritten log, to hide it too
    call_command("verify_ledger", "--no-drift")
    published = five_events[3]

    with pytest.raises(CommandError, match=r"checkpoint 4: hash differs \(stored [0-9a-f]{64}\)"):
        call_command("verify_ledger", "--no-drift", "--checkpoint", f"4:{published[1]}")


def test_a_wrong_checkpoint_hash_fails(five_events: list[tuple[int, str]]) -> None:
    with pytest.raises(CommandError, match="checkpoint 3: hash differs") as caught:
        call_command("verify_ledger", "--checkpoint", f"3:{five_events[1][1]}")

    assert "Verification failed" in str(caught.value)


def test_a_checkpoint_beyond_the_log_fails(five_events: list[tuple[int, str]]) -> None:
    with pytest.raises(CommandError, match="checkpoint 9: no event at that position"):
        call_command("verify_ledger", "--checkpoint", f"9:{five_events[1][1]}")


@pytest.mark.parametrize(
    "text",
    [
        "3",
        "3:",
        "x:" + "a" * 64,
        "3:" + "a" * 63,
        "3:" + "g" * 64,
        "-3:" + "a" * 64,
        "3;" + "a" * 64,
    ],
)
def test_a_malformed_checkpoint_gives_a_readable_error(
    five_events: list[tuple[int, str]], text: str
) -> None:
    with pytest.raises(CommandError, match=r"is not POSITION:HASH \(a number, a colon, 64 hex"):
        call_command("verify_ledger", f"--checkpoint={text}")
