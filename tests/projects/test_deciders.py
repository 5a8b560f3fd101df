"""The decider registry: an aggregate joins ``services.execute`` with one entry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from projects import deciders, services
from projects.deciders import Decider
from projects.domain import ProjectCommand
from projects.domain.errors import NothingToChange
from registry import snapshots, statecache, store
from registry.events import Event, Metadata
from registry.serde import Value

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


NOTES = Decider(
    stream_type="test.note",
    command_type=WriteNote,
    state_type=Note,
    decide=_decide,
    evolve=_evolve,
    context=lambda command, state, today: today,
)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> list[Decider]:
    """The deciders, restored after the test."""
    monkeypatch.setattr(deciders, "_DECIDERS", list(deciders._DECIDERS))
    return deciders._DECIDERS


@pytest.mark.usefixtures("registry")
def test_a_new_aggregate_joins_with_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "EVERY", 2)
    deciders.register(NOTES)

    for text in ("first", "second", "third"):
        services.execute(WriteNote("n-1", text), metadata=META)

    assert [e.event for e in store.read_stream("test.note", "n-1")] == [
        NoteWritten("first"),
        NoteWritten("second"),
        NoteWritten("third"),
    ]
    statecache.clear()  # as a process that did not write them loads them
    loaded = snapshots.load(NOTES, "n-1")
    assert loaded.state == Note(texts=("first", "second", "third"))
    assert (loaded.snapshot_version, loaded.folded) == (2, 1)
    with pytest.raises(NothingToChange):
        services.execute(WriteNote("n-1", "second"), metadata=META)


@pytest.mark.usefixtures("registry")
def test_a_stream_type_or_a_command_type_has_one_decider() -> None:
    deciders.register(NOTES)

    with pytest.raises(ValueError, match="has a decider already"):
        deciders.register(dataclasses.replace(NOTES, command_type=Value))
    with pytest.raises(ValueError, match="overlaps"):
        deciders.register(dataclasses.replace(NOTES, stream_type="test.other"))
    with pytest.raises(ValueError, match="overlaps"):
        deciders.register(
            dataclasses.replace(NOTES, stream_type="test.other", command_type=ProjectCommand)
        )


def test_a_command_no_aggregate_decides_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="WriteNote is not a command of this registry"):
        services.execute(WriteNote("n-1", "lost"), metadata=META)
