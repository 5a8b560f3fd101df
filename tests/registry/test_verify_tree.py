"""``verify_ledger`` checks the stored Merkle tree and published tree heads; the tree rebuilds."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry import merkle, store, treebuild, treeheads
from registry.guards import chain_guard_off
from registry.ledger import event_hash
from registry.models import LedgerHead, TreeNode
from tests.registry.factories import open_counter, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def six_events() -> None:
    """Append six events in two streams."""
    open_counter("a", "1", "2")
    open_counter("b", "3", "4")


def test_an_intact_tree_and_a_published_tree_head_verify(
    six_events: None, capsys: pytest.CaptureFixture[str]
) -> None:
    head = treeheads.publish(tree_size=4)

    call_command("verify_ledger", "--no-drift", "--tree-head", f"4:{head.root_hash.upper()}")

    out, err = capsys.readouterr()
    assert "Merkle tree intact: 6 events." in out
    assert f"Tree head 4:{head.root_hash} matches." in out
    assert "checking Merkle tree" in err


def test_a_tree_head_catches_history_rewritten_with_its_tree(six_events: None) -> None:
    published = treeheads.publish()
    # Rewrite event 3, re-chain everything after it and rebuild the tree: all looks intact.
    rows = list(store.read_all_rows())
    rows[2]["data"] = {"amount": "2000", "on": "2025-05-03"}
    prev = rows[1]["hash"]
    for row in rows[2:]:
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(row)
        tamper(row["position"], data=row["data"], prev_hash=row["prev_hash"], hash=row["hash"])
    with chain_guard_off():
        LedgerHead.objects.filter(pk=1).update(hash=prev)
    treebuild.rebuild()
    call_command("verify_ledger", "--no-drift")

    differs = r"tree head 6: root differs \(the log's is [0-9a-f]{64}"
    with pytest.raises(CommandError, match=differs):
        call_command("verify_ledger", "--no-drift", "--tree-head", f"6:{published.root_hash}")


def test_a_rewritten_event_whose_tree_was_left_is_caught_by_the_tree(six_events: None) -> None:
    rows = list(store.read_all_rows())
    prev = rows[3]["hash"]
    for row in rows[4:]:  # re-chained from event 5 on, the tree untouched
        row["data"] = {"amount": "2000", "on": "2025-05-03"}
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(row)
        tamper(row["position"], data=row["data"], prev_hash=row["prev_hash"], hash=row["hash"])
    with chain_guard_off():
        LedgerHead.objects.filter(pk=1).update(hash=prev)

    with pytest.raises(CommandError, match="stored nodes differ from the log from position 5"):
        call_command("verify_ledger", "--no-drift")


def test_lost_nodes_fail_verification_until_the_tree_is_rebuilt(
    six_events: None, capsys: pytest.CaptureFixture[str]
) -> None:
    TreeNode.objects.filter(key__gte=merkle.node_count(4)).delete()

    lagging = r"it holds 4 events, the log 6 \(run rebuild_merkle_tree"
    with pytest.raises(CommandError, match=lagging):
        call_command("verify_ledger", "--no-drift")

    call_command("rebuild_merkle_tree", "--batch-size", "2")
    assert "Merkle tree rebuilt: 6 events; 3 nodes added, 0 corrected, 0 removed." in (
        capsys.readouterr().out
    )
    call_command("verify_ledger", "--no-drift")


def test_a_tree_head_beyond_the_log_fails(six_events: None) -> None:
    with pytest.raises(CommandError, match="tree head 9: the log holds only 6 events"):
        call_command("verify_ledger", "--no-drift", "--tree-head", "9:" + "a" * 64)


@pytest.mark.parametrize("text", ["6", "6:", "0:" + "a" * 64, "6:" + "g" * 64])
def test_a_malformed_tree_head_gives_a_readable_error(six_events: None, text: str) -> None:
    with pytest.raises(CommandError, match=r"is not SIZE:ROOT \(a number, a colon, 64 hex"):
        call_command("verify_ledger", f"--tree-head={text}")
