"""The aggregates the application runs: a new one joins with one entry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from projects.application import aggregates
from projects.application.aggregates import Aggregate
from projects.domain import ProjectCommand
from projects.domain.decider import Decider
from projects.domain.errors import NothingToChange
from registry import snapshots, statecache, store
from registry.events import Event, Metadata
from registry.serde import Value
from tests.projects import builders

pytestmark = [pytest.mark.django_db]

META = Metadata(actor_kind="system", source="cli")


@dataclasses.dataclass(frozen=True)
class WriteNote(Value):
    note_id: str
    text: str

    @property
    def stream_id(self) -> str:
        return self.note_id


@dataclasses.dataclass(frozen=True)
class NoteWritten(Event, name="test.NoteWritten"):
    text: str


@dataclasses.dataclass(frozen=True)
class Note:
    texts: tuple[str, ...] = ()


def _decide(state: Note | None, command: WriteNote, context: dt.date) -> list[Event]:
    if state is not None and command.text in state.texts:
        raise NothingToChange(f"{command.text} is written already.")
    return [NoteWritten(command.text)]


def _evolve(state: Note | None, event: Event) -> Note:
    assert isinstance(event, NoteWritten)
    return Note(texts=(*(state.texts if state else ()), event.text))


NOTES = Aggregate(
    Decider(
        stream_type="test.note",
        command_type=WriteNote,
        state_type=Note,
        decide=_decide,
        evolve=_evolve,
    ),
    context=lambda command, state, today: today,
)


def _with(**changes: object) -> Aggregate:
    return dataclasses.replace(NOTES, decider=dataclasses.replace(NOTES.decider, **changes))


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> list[Aggregate]:
    """The aggregates, restored after the test."""
    monkeypatch.setattr(aggregates, "_AGGREGATES", list(aggregates._AGGREGATES))
    return aggregates._AGGREGATES


@pytest.mark.usefixtures("registry")
def test_a_new_aggregate_joins_with_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "EVERY", 2)
    aggregates.register(NOTES)

    for text in ("first", "second", "third"):
        builders.execute(WriteNote("n-1", text), metadata=META)

    assert [e.event for e in store.read_stream("test.note", "n-1")] == [
        NoteWritten("first"),
        NoteWritten("second"),
        NoteWritten("third"),
    ]
    statecache.clear()  # as a process that did not write them loads them
    loaded = snapshots.load(NOTES.decider, "n-1")
    assert loaded.state == Note(texts=("first", "second", "third"))
    assert (loaded.snapshot_version, loaded.folded) == (2, 1)
    with pytest.raises(NothingToChange):
        builders.execute(WriteNote("n-1", "second"), metadata=META)


@pytest.mark.usefixtures("registry")
def test_a_stream_type_or_a_command_type_has_one_decider() -> None:
    aggregates.register(NOTES)

    with pytest.raises(ValueError, match="has a decider already"):
        aggregates.register(_with(command_type=Value))
    with pytest.raises(ValueError, match="overlaps"):
        aggregates.register(_with(stream_type="test.other"))
    with pytest.raises(ValueError, match="overlaps"):
        aggregates.register(_with(stream_type="test.other", command_type=ProjectCommand))


def test_a_command_no_aggregate_decides_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="WriteNote is not a command of this registry"):
        builders.execute(WriteNote("n-1", "lost"), metadata=META)
