"""The commands as run from a shell: exit statuses, errors and progress on standard error.

``run_from_argv`` is what ``manage.py`` calls; it closes the database connections when
done, so these tests commit for real (``transaction=True``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import ManagementUtility

from tests.registry.factories import open_counter, tamper

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("counter_projection"),
]


def _exit_status(*argv: str) -> int:
    """Run ``manage.py ARGV`` in this process and return its exit status."""
    args = ["manage.py", *argv]
    try:
        ManagementUtility(args).fetch_command(argv[0]).run_from_argv(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_verify_ledger_exits_zero_and_reports_progress_on_standard_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    open_counter("a", "1", "2")

    assert _exit_status("verify_ledger") == 0

    out, err = capsys.readouterr()
    assert "Ledger verified." in out
    assert "verifying chain" in err
    assert "replaying for drift" in err


def test_verify_ledger_exits_non_zero_naming_the_broken_position(
    capsys: pytest.CaptureFixture[str],
) -> None:
    open_counter("a", "1", "2")
    tamper(2, data={"amount": "100", "on": "2025-05-03"})

    assert _exit_status("verify_ledger") == 1

    out, err = capsys.readouterr()
    assert "CommandError: Ledger broken at position 2" in err
    assert "Ledger verified" not in out


def test_a_malformed_checkpoint_exits_non_zero_before_reading_the_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _exit_status("verify_ledger", "--checkpoint", "three:abc") == 1

    out, err = capsys.readouterr()
    assert "CommandError: --checkpoint 'three:abc' is not POSITION:HASH" in err
    assert "verifying chain" not in err
    assert out == ""


def test_an_unknown_projection_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_status("rebuild_projections", "nope") == 1

    assert "CommandError: unknown projection(s): nope" in capsys.readouterr().err


@pytest.mark.parametrize("jobs", ["0", "17"])
def test_a_number_of_jobs_out_of_range_exits_non_zero_having_replayed_nothing(
    jobs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_status("rebuild_projections", "--jobs", jobs) == 1

    out, err = capsys.readouterr()
    assert "CommandError: --jobs must be from 1 to 16" in err
    assert "rebuilding" not in err
    assert out == ""


def test_rebuild_projections_takes_a_number_of_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    open_counter("a", "1", "2")

    assert _exit_status("rebuild_projections", "--jobs", "2") == 0

    assert "Rebuilt" in capsys.readouterr().out


def test_a_refused_import_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_counter("a")
    export = tmp_path / "log.jsonl"
    assert _exit_status("export_events", str(export)) == 0

    assert _exit_status("import_events", str(export)) == 1

    assert "CommandError: Import refused: the event log is not empty" in (capsys.readouterr().err)


def test_a_usage_error_exits_with_status_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_status("import_events") == 2

    assert "the following arguments are required: file" in capsys.readouterr().err
