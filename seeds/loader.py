"""Turning a seed data set (JSON files) into commands, and running them.

A data set is a folder with ``organisations.json``, ``agreements.json`` and
``projects.json`` (the format is described in ``seeds/README.md``). Every record
becomes one or more commands with ``source=seed`` and an idempotency key derived from
the record, so loading twice appends nothing. The whole set is read and checked
before anything is written, and written in one transaction: a broken file leaves the
registry as it was, and the error names the file, the record and the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.utils import timezone

from projects.application import Actor, InvalidInput, parse, unit_of_work
from projects.domain import agreement as ag
from projects.domain import organisation as org
from projects.domain import project as pr
from projects.domain.errors import DomainError
from registry import serde
from registry.errors import EventValidationError, RegistryError

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DATASET = "hk_zj_2025"
SEED_TIME = dt.time(10, 0)
REASON = "Hong Kong–Zhejiang seed data set"
SEED_ZONE = zoneinfo.ZoneInfo("Asia/Hong_Kong")


class SeedError(Exception):
    """A seed file is wrong; the message names the file, the record and the field."""


@dataclasses.dataclass(frozen=True)
class Step:
    """One command of the data set, with when it happened and where it came from."""

    command: Any
    on: dt.date
    key: str
    where: str


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, SEED_TIME, tzinfo=SEED_ZONE)


class _Reader:
    """Builds commands from one file's records, turning bad values into SeedErrors."""

    def __init__(self, dataset: str, path: Path) -> None:
        self.dataset = dataset
        self.path = path
        try:
            self.document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SeedError(f"{path}: file not found") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SeedError(f"{path}: not valid JSON: {exc}") from None
        if not isinstance(self.document, dict):
            raise SeedError(f"{path}: expected a JSON object at the top")

    def records(self, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield (label, record) for each record of the top-level list ``name``."""
        items = self.document.get(name)
        if not isinstance(items, list):
            raise SeedError(f"{self.path}: expected a list under {name!r}")
        for index, record in enumerate(items):
            label = f"{name}[{index}]"
            if not isinstance(record, dict):
                raise SeedError(f"{self.path}: {label}: expected an object")
            ident = record.get("id") or record.get("code")
            yield (f"{label} ({ident})" if ident else label), record

    def fail(self, where: str, message: str) -> SeedError:
        """Return a SeedError naming this file and ``where`` in it."""
        return SeedError(f"{self.path}: {where}: {message}")

    def fields(
        self, where: str, record: dict[str, Any], *, required: set[str], optional: set[str]
    ) -> dict[str, Any]:
        """Return ``record`` after checking it has the required fields and no unknown ones."""
        missing = sorted(required - set(record))
        if missing:
            raise self.fail(where, f"missing field(s): {', '.join(missing)}")
        unknown = sorted(set(record) - required - optional)
        if unknown:
            raise self.fail(where, f"unknown field(s): {', '.join(unknown)}")
        return record

    def build(self, where: str, cls: type, raw: dict[str, Any]) -> Any:
        """Build command ``cls`` from JSON, naming the field when a value is wrong."""
        try:
            return parse(cls, raw)
        except (DomainError, EventValidationError) as exc:
            raise self.fail(where, refusal(exc)) from None

    def date(self, where: str, value: Any) -> dt.date:
        """Parse an ISO date or fail naming ``where``."""
        try:
            return serde.decode(dt.date, value, where)
        except EventValidationError as exc:
            raise self.fail(where, str(exc)) from None

    def step(self, command: Any, on: dt.date, where: str, key: str) -> Step:
        """Return a Step keyed for idempotency within this data set."""
        return Step(command, on, f"seed:{self.dataset}:{key}", f"{self.path}: {where}")


def refusal(error: Exception) -> str:
    """Return a refusal's message, led by the command field at fault when it names one."""
    if isinstance(error, InvalidInput):
        return "; ".join(refusal(e.error) for e in error.errors)
    if isinstance(error, DomainError):
        return f"{error.field}: {error.message}" if error.field else error.message
    return str(error)  # the decoder's messages already lead with the field's path


def _localised(value: Any) -> Any:
    """Accept a plain string where a three-language text is expected (English only)."""
    return {"en": value} if isinstance(value, str) else value


def _organisation_steps(reader: _Reader) -> Iterator[Step]:
    for where, rec in reader.records("organisations"):
        reader.fields(
            where,
            rec,
            required={"id", "names", "org_type", "jurisdiction"},
            optional={"identifiers"},
        )
        command = reader.build(
            where,
            org.RegisterOrganisation,
            {
                "organisation_id": rec["id"],
                "names": rec["names"],
                "org_type": rec["org_type"],
                "jurisdiction": rec["jurisdiction"],
                "identifiers": rec.get("identifiers", []),
            },
        )
        yield reader.step(command, dt.date(2025, 4, 1), where, f"organisation:{rec['id']}")


def _signatory(reader: _Reader, where: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise reader.fail(where, "expected an object")
    reader.fields(where, raw, required={"organisation", "person", "title"}, optional=set())
    return {
        "organisation_id": raw["organisation"],
        "person": _localised(raw["person"]),
        "title": _localised(raw["title"]),
    }


def _agreement_steps(reader: _Reader) -> Iterator[Step]:
    for where, rec in reader.records("agreements"):
        reader.fields(
            where,
            rec,
            required={"code", "titles", "signed_on", "signed_place", "signatories", "period"},
            optional={"sectors", "amendments"},
        )
        signatories = rec["signatories"] if isinstance(rec["signatories"], list) else None
        if signatories is None:
            raise reader.fail(f"{where}.signatories", "expected a list")
        command = reader.build(
            where,
            ag.SignAgreement,
            {
                "agreement_code": rec["code"],
                "titles": rec["titles"],
                "signed_on": rec["signed_on"],
                "signed_place": _localised(rec["signed_place"]),
                "signatories": [
                    _signatory(reader, f"{where}.signatories[{i}]", s)
                    for i, s in enumerate(signatories)
                ],
                "period": rec["period"],
                "sectors": rec.get("sectors", []),
            },
        )
        code = rec["code"]
        yield reader.step(command, command.signed_on, where, f"agreement:{code}:signed")
        for n, amendment in enumerate(rec.get("amendments", []), start=1):
            at = f"{where}.amendments[{n - 1}]"
            if not isinstance(amendment, dict):
                raise reader.fail(at, "expected an object")
            reader.fields(
                at,
                amendment,
                required={"on", "rationale"},
                optional={"titles", "period", "sectors"},
            )
            raw = {k: v for k, v in amendment.items() if k != "on"}
            command = reader.build(
                at,
                ag.AmendAgreement,
                {"agreement_code": code, "amended_on": amendment["on"], **raw},
            )
            yield reader.step(command, command.amended_on, at, f"agreement:{code}:amendment:{n}")


# Same-day ordering: a project starts before its milestones move; it finishes after.
_STARTING, _MILESTONE, _FINISHING = 0, 1, 2


def _project_steps(reader: _Reader) -> Iterator[Step]:
    for where, rec in reader.records("projects"):
        reader.fields(
            where,
            rec,
            required={
                "code",
                "agreement",
                "sector",
                "titles",
                "registered_on",
                "planned_start",
                "planned_end",
                "parties",
                "milestones",
            },
            optional={"descriptions", "budget", "status_history"},
        )
        code = rec["code"]
        registered_on = reader.date(f"{where}.registered_on", rec["registered_on"])
        register = reader.build(
            where,
            pr.RegisterProject,
            {
                "project_code": code,
                "agreement_code": rec["agreement"],
                "titles": rec["titles"],
                "descriptions": rec.get("descriptions"),
                "sector": rec["sector"],
                "planned_start": rec["planned_start"],
                "planned_end": rec["planned_end"],
            },
        )
        yield reader.step(register, registered_on, where, f"project:{code}:registered")
        if rec.get("budget") is not None:
            budget = reader.build(
                f"{where}.budget",
                pr.SetProjectBudget,
                {"project_code": code, "budget": rec["budget"]},
            )
            yield reader.step(budget, registered_on, f"{where}.budget", f"project:{code}:budget")
        for i, party in enumerate(_list(reader, f"{where}.parties", rec["parties"])):
            at = f"{where}.parties[{i}]"
            reader.fields(at, party, required={"organisation", "roles"}, optional=set())
            command = reader.build(
                at,
                pr.AddParty,
                {
                    "project_code": code,
                    "organisation_id": party["organisation"],
                    "roles": party["roles"],
                },
            )
            key = f"project:{code}:party:{command.organisation_id}"
            yield reader.step(command, registered_on, at, key)
        yield from _timeline(reader, where, rec, code, registered_on)


def _list(reader: _Reader, where: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise reader.fail(where, "expected a list of objects")
    return value


def _timeline(
    reader: _Reader, where: str, rec: dict[str, Any], code: str, registered_on: dt.date
) -> Iterator[Step]:
    dated: list[tuple[dt.date, int, int, Step]] = []
    for i, change in enumerate(
        _list(reader, f"{where}.status_history", rec.get("status_history", []))
    ):
        at = f"{where}.status_history[{i}]"
        reader.fields(at, change, required={"status", "on", "reason"}, optional=set())
        command = reader.build(
            at,
            pr.ChangeProjectStatus,
            {
                "project_code": code,
                "status": change["status"],
                "effective_on": change["on"],
                "reason": change["reason"],
            },
        )
        order = _STARTING if command.status.value in {"implementation", "suspended"} else _FINISHING
        step = reader.step(command, command.effective_on, at, f"project:{code}:status:{i + 1}")
        dated.append((command.effective_on, order, len(dated), step))
    for i, milestone in enumerate(_list(reader, f"{where}.milestones", rec["milestones"])):
        at = f"{where}.milestones[{i}]"
        reader.fields(
            at,
            milestone,
            required={"id", "title", "type", "due_date", "responsible"},
            optional={"history"},
        )
        mid = milestone["id"]
        command = reader.build(
            at,
            pr.ScheduleMilestone,
            {
                "project_code": code,
                "milestone_id": mid,
                "title": milestone["title"],
                "milestone_type": milestone["type"],
                "due_date": milestone["due_date"],
                "responsible_party": milestone["responsible"],
            },
        )
        yield reader.step(command, registered_on, at, f"project:{code}:milestone:{mid}")
        for n, entry in enumerate(_list(reader, f"{at}.history", milestone.get("history", []))):
            entry_at = f"{at}.history[{n}]"
            step = _history_step(reader, entry_at, entry, code, mid, n + 1)
            dated.append((step.on, _MILESTONE, len(dated), step))
    for _on, _order, _seq, step in sorted(dated, key=lambda d: d[:3]):
        yield step


_ACTIONS: dict[str, tuple[type, set[str], set[str], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "reschedule": (
        pr.RescheduleMilestone,
        {"due_date", "reason"},
        set(),
        lambda e: {"new_due_date": e["due_date"], "reason": e["reason"]},
    ),
    "claim": (
        pr.ClaimMilestone,
        {"status", "by"},
        {"note"},
        lambda e: {
            "claimant": e["by"],
            "claimed_status": e["status"],
            "claimed_date": e["on"],
            "note": e.get("note"),
        },
    ),
    "confirm": (pr.ConfirmMilestoneClaim, set(), set(), lambda e: {}),
    "return": (pr.ReturnMilestoneClaim, {"reason"}, set(), lambda e: {"reason": e["reason"]}),
    "cancel": (pr.CancelMilestone, {"reason"}, set(), lambda e: {"reason": e["reason"]}),
}


def _history_step(
    reader: _Reader, where: str, entry: dict[str, Any], code: str, mid: str, n: int
) -> Step:
    action = entry.get("action")
    if action not in _ACTIONS:
        raise reader.fail(where, f"action must be one of {', '.join(_ACTIONS)}, not {action!r}")
    cls, required, optional, fields = _ACTIONS[action]
    reader.fields(where, entry, required={"action", "on", *required}, optional=optional)
    on = reader.date(f"{where}.on", entry["on"])
    command = reader.build(where, cls, {"project_code": code, "milestone_id": mid, **fields(entry)})
    return reader.step(command, on, where, f"project:{code}:milestone:{mid}:{n}:{action}")


def read_dataset(name: str = DEFAULT_DATASET, *, root: Path = DATA_DIR) -> list[Step]:
    """Read and check a whole data set; return its commands in the order to run them."""
    folder = root / name
    if not folder.is_dir():
        folders = root.iterdir() if root.is_dir() else ()
        known = ", ".join(sorted(p.name for p in folders if p.is_dir())) or "none"
        raise SeedError(f"no seed data set {name!r} in {root} (known: {known})")
    organisations = list(_organisation_steps(_Reader(name, folder / "organisations.json")))
    dated = [
        *_agreement_steps(_Reader(name, folder / "agreements.json")),
        *_project_steps(_Reader(name, folder / "projects.json")),
    ]
    # In date order, so an amendment precedes the projects that rely on it and the log
    # reads as the history happened; the sort is stable, keeping each record's own order.
    steps = organisations + sorted(dated, key=lambda step: step.on)
    duplicates = sorted(k for k, n in Counter(s.key for s in steps).items() if n > 1)
    if duplicates:
        raise SeedError(f"{folder}: records repeat themselves: {', '.join(duplicates[:5])}")
    return steps


@dataclasses.dataclass(frozen=True)
class LoadReport:
    """What a load did."""

    commands: int
    appended: int
    skipped: int


def load(
    steps: list[Step],
    *,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> LoadReport:
    """Run every step in one durable transaction; all or nothing.

    A step whose idempotency key was used by an earlier load appends nothing. A step
    dated after ``today`` (the day the loader runs, unless given) is refused: seed data
    records history, and the admin would refuse to record the future as well.
    """
    appended = skipped = 0
    today = today or timezone.localdate()
    with unit_of_work() as unit:
        for step in steps:
            if step.on > today:
                raise SeedError(
                    f"{step.where}: dated {step.on.isoformat()}, which is after today "
                    f"({today.isoformat()}); seed data records only what has already happened"
                )
            try:
                result = unit.handle(
                    step.command,
                    actor=Actor.seed(),
                    reason=REASON,
                    idempotency_key=step.key,
                    occurred_at=_at(step.on),
                    today=today,
                )
            except (DomainError, RegistryError) as exc:
                raise SeedError(f"{step.where}: {refusal(exc)}") from None
            if result.replayed:
                skipped += 1
            else:
                appended += result.last_position - result.first_position + 1
            if progress is not None:
                progress(1)
    return LoadReport(commands=len(steps), appended=appended, skipped=skipped)
