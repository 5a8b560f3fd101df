"""Organisation isolation, fuzzed: DeepSeek's token looking for Unitree's (and ITIB's) data.

Hypothesis builds requests over every API operation (the directory, project lists with
every filter, project detail and its past states, history, claims, the feed, the
calendar) out of values taken from the projects DeepSeek takes no part in: their codes,
titles and descriptions in three languages, a milestone's title, the positions and
recorded times of their events (as feed and history cursors and as ``as_of``), the
idempotency key Unitree used, and tokens carrying Unitree's token id; mixed with random
ones. Every answer is searched for those projects' identifying values (codes, texts,
event hashes) that the request did not itself carry. Every request that carried one of
them is sent again with each replaced by a fresh value of the same shape (a code, a
text, a token nobody holds): both answers must be the same (status, problem type,
headers, body once the values are swapped back), so a refusal looks exactly like a
missing object and a search for another's title finds what a search for nonsense finds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from projects.domain import (
    AddParty,
    LocalisedText,
    MilestoneType,
    PartyRole,
    RegisterProject,
    ScheduleMilestone,
    Sector,
)
from registry.models import StoredEvent
from testkit.budget import examples
from tests.api import world
from tests.api.conftest import ApiClient
from tests.projects import builders, seeding

pytestmark = pytest.mark.django_db

# A project of Unitree's whose texts appear nowhere else in the registry.
HIDDEN = "HKZJ-2025-RB-77"
HIDDEN_TITLE = LocalisedText(
    en="Quokka gait controller", zh_hant="袋鼠步態控制器", zh_hans="袋鼠步态控制器"
)
HIDDEN_DESCRIPTION = LocalisedText(
    en="Wombat terrain trials", zh_hant="袋熊地形試驗", zh_hans="袋熊地形试验"
)
HIDDEN_MILESTONE = LocalisedText(
    en="Numbat stair climb", zh_hant="袋食蟻獸爬樓梯", zh_hans="袋食蚁兽爬楼梯"
)
HIDDEN_KEY = "unitree-quokka-claim-0001"
OTHERS = (world.ROBOTICS, world.TRADE, HIDDEN)  # DeepSeek takes part in world.AI only
TEXTS = tuple(
    value
    for text in (HIDDEN_TITLE, HIDDEN_DESCRIPTION, HIDDEN_MILESTONE)
    for value in (text.en, text.zh_hant, text.zh_hans)
)


@dataclasses.dataclass(frozen=True)
class Hidden:
    """The API world with Unitree's hidden project, and what must never reach DeepSeek."""

    tokens: world.World
    positions: tuple[int, ...]  # of the other projects' events
    instants: tuple[str, ...]  # their recorded_at, as the API writes instants
    secrets: frozenset[str]  # codes, texts, event hashes, Unitree's token id and key


def _build() -> Hidden:
    tokens = world.build()
    builders.run(
        RegisterProject(
            HIDDEN,
            builders.AGREEMENT,
            HIDDEN_TITLE,
            Sector.ROBOTICS,
            builders.PLANNED_START,
            builders.PLANNED_END,
            HIDDEN_DESCRIPTION,
        )
    )
    builders.run(AddParty(HIDDEN, "hk-itib", (PartyRole.LEAD, PartyRole.FUNDING)))
    builders.run(AddParty(HIDDEN, "unitree", (PartyRole.IMPLEMENTING,)))
    builders.run(
        ScheduleMilestone(
            HIDDEN, "Q7", HIDDEN_MILESTONE, MilestoneType.DELIVERY, dt.date(2025, 8, 31), "unitree"
        )
    )
    unitree = ApiClient(tokens.unitree)
    version = unitree.get(f"projects/{HIDDEN}/")["ETag"]
    claimed = unitree.post(
        f"projects/{HIDDEN}/milestones/Q7/claims/",
        {"outcome": "met", "date": "2025-08-30"},
        **{"If-Match": version, "Idempotency-Key": HIDDEN_KEY},
    )
    assert claimed.status_code == 201, claimed.content
    theirs = StoredEvent.objects.filter(stream_type="project", stream_id__in=OTHERS)
    instants = [e.recorded_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") for e in theirs]
    return Hidden(
        tokens=tokens,
        positions=tuple(e.position for e in theirs),
        instants=tuple(instants),
        secrets=frozenset(
            {*OTHERS, *TEXTS, *(e.hash for e in theirs), HIDDEN_KEY, _token_id(tokens.unitree)}
        ),
    )


def _token_id(token: str) -> str:
    return token.split("_")[1]


@pytest.fixture(scope="module")
def hidden(django_db_setup: None, django_db_blocker: Any) -> Iterator[Hidden]:
    """The world with the hidden project, built once for the module, rolled back after."""
    with seeding.held(django_db_blocker, _build) as built:
        yield built


@dataclasses.dataclass(frozen=True)
class Call:
    """One request: method, path under /api/v1/, query, headers, JSON body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None

    def text(self) -> str:
        """Return everything the caller sent, for telling an echo from a leak."""
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    def swapped(self, swaps: dict[str, str]) -> Call:
        """Return this call with each value in ``swaps`` replaced by its twin."""

        def swap(value: str) -> str:
            return _replace(value, swaps)

        return Call(
            self.method,
            swap(self.path),
            tuple((k, swap(v)) for k, v in self.query),
            tuple((k, swap(v)) for k, v in self.headers),
            swap(self.body) if self.body is not None else None,
        )


def _forms(value: str) -> list[str]:
    """Return ``value`` as an answer may carry it: as is, in a URL, escaped in JSON."""
    return [value, quote_plus(value), quote(value, safe=""), json.dumps(value)[1:-1]]


def _replace(text: str, swaps: dict[str, str]) -> str:
    for old, new in swaps.items():
        for form_old, form_new in zip(_forms(old), _forms(new), strict=True):
            text = text.replace(form_old, form_new)
    return text


# Values of the other projects, and random ones of the same shapes.
_random_code = st.from_regex(r"\A[A-Z0-9]{2,6}(-[A-Z0-9]{1,4}){0,3}\Z")
_codes = st.sampled_from(OTHERS) | st.just(world.AI) | _random_code
_texts = st.sampled_from(TEXTS) | st.text(max_size=30)
_milestones = st.sampled_from(["M1", "Q7"]) | st.from_regex(r"\A[A-Za-z0-9]{1,6}\Z")
_dates = st.dates(dt.date(2024, 1, 1), dt.date(2031, 12, 31)).map(str)


def _cursor(hidden: Hidden) -> st.SearchStrategy[str]:
    return (st.sampled_from(hidden.positions) | st.integers(-5, 10_000)).map(str)


def _instant(hidden: Hidden) -> st.SearchStrategy[str]:
    return st.sampled_from(hidden.instants) | st.datetimes(
        dt.datetime(2024, 1, 1), dt.datetime(2031, 1, 1), timezones=st.just(dt.UTC)
    ).map(lambda t: t.isoformat().replace("+00:00", "Z"))


def _query(**options: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    """Return some of the named query parameters, each with a drawn value."""
    return st.fixed_dictionaries({}, optional=options).map(lambda q: tuple(sorted(q.items())))


def _calls(hidden: Hidden) -> st.SearchStrategy[Call]:
    limit = st.integers(0, 300).map(str)
    project_list = _query(
        search=_texts,
        agreement=st.sampled_from([builders.AGREEMENT]) | _random_code,
        party=st.sampled_from(["unitree", "hk-itib", "deepseek", "no-such-org"]),
        sector=st.sampled_from([s.value for s in Sector]),
        status=st.sampled_from(["pipeline", "implementation", "closed"]),
        ordering=st.sampled_from(["code", "-code", "title", "-updated_at", "due"]),
        overdue=st.sampled_from(["true", "false"]),
        due_after=_dates,
        due_before=_dates,
        limit=limit,
        offset=st.integers(0, 10).map(str),
    )
    claim_body = st.fixed_dictionaries(
        {"outcome": st.sampled_from(["met", "notMet", "partiallyMet"]), "date": _dates},
        optional={"note": _texts},
    ).map(json.dumps)
    claim_headers = _query(
        **{
            "Idempotency-Key": st.just(HIDDEN_KEY) | st.from_regex(r"\A[a-z0-9-]{8,40}\Z"),
            "If-Match": st.integers(0, 12).map(lambda v: f'"{v}"'),
        }
    )
    return st.one_of(
        st.builds(Call, st.just("GET"), st.sampled_from(["organisations/", "agreements/"])),
        st.builds(Call, st.just("GET"), st.just("sectors/")),
        st.builds(Call, st.just("GET"), st.just(f"agreements/{builders.AGREEMENT}/")),
        st.builds(Call, st.just("GET"), st.just("organisations/unitree/")),
        st.builds(Call, st.just("GET"), st.just("projects/"), project_list),
        st.builds(
            Call,
            st.just("GET"),
            _codes.map(lambda c: f"projects/{c}/"),
            _query(as_of=_instant(hidden)),
        ),
        st.builds(
            Call,
            st.just("GET"),
            _codes.map(lambda c: f"projects/{c}/events/"),
            _query(after=_cursor(hidden), limit=limit),
        ),
        st.builds(
            Call,
            st.just("POST"),
            st.tuples(_codes, _milestones).map(
                lambda p: f"projects/{p[0]}/milestones/{p[1]}/claims/"
            ),
            st.just(()),
            claim_headers,
            claim_body,
        ),
        st.builds(
            Call, st.just("GET"), st.just("events/"), _query(after=_cursor(hidden), limit=limit)
        ),
        st.builds(
            Call,
            st.just("GET"),
            st.just("milestones/calendar.ics"),
            _query(start=_dates, end=_dates, token=_forged_token(hidden)),
        ),
    )


def _forged_token(hidden: Hidden) -> st.SearchStrategy[str]:
    """Return tokens with Unitree's token id (or a random one) and a secret nobody holds."""
    return st.tuples(
        st.just(_token_id(hidden.tokens.unitree)) | st.from_regex(r"\A[0-9a-f]{12}\Z"),
        st.from_regex(r"\A[A-Za-z0-9_-]{43}\Z"),
    ).map(lambda p: f"reg_{p[0]}_{p[1]}")


def _send(call: Call, token: str) -> Any:
    client = Client()
    headers = {"Authorization": f"Bearer {token}", **dict(call.headers)}
    url = f"/api/v1/{call.path}" + (f"?{urlencode(call.query)}" if call.query else "")
    if call.method == "POST":
        return client.post(url, call.body or "", content_type="application/json", headers=headers)
    return client.get(url, headers=headers)


def _answer(response: Any) -> str:
    """Return what the caller learns: status, headers and body.

    Leaving out the request id (new on every request), the length (the twin's values
    need not be as long as the originals) and what is left of the token's rate limit (one
    less on every request, whatever it asked). A list's ETag keeps its ledger position
    (which ledger/head/ tells every caller) but not its digest, a hash of the path and query
    the caller sent, which differ for the twin.
    """
    headers = {
        k: v
        for k, v in response.headers.items()
        if k not in ("X-Request-ID", "Content-Length", "RateLimit")
    }
    if headers.get("ETag", "").startswith("W/"):
        headers["ETag"] = re.sub(r'-[0-9a-f]{16}"$', '-…"', headers["ETag"])
    return f"{response.status_code}\n{json.dumps(headers)}\n{response.content.decode()}"


def _twins(hidden: Hidden, sent: set[str]) -> dict[str, str]:
    """Return a fresh value of the same shape for each of the other's values sent."""
    twins = {}
    for value in sorted(sent, key=len, reverse=True):
        if value in OTHERS:
            twins[value] = f"HKZJ-2099-{secrets.token_hex(3).upper()}"
        elif value == HIDDEN_KEY:
            twins[value] = f"fresh-key-{secrets.token_hex(8)}"
        elif value == _token_id(hidden.tokens.unitree):
            twins[value] = secrets.token_hex(6)
        else:
            twins[value] = f"Zzyzx {secrets.token_hex(4)}"
    return twins


def _comparable(call: Call) -> bool:
    """Return True if sending the call twice changes nothing between the two answers."""
    if call.method == "GET":
        return True
    # A claim on another's project is refused before anything is written; a claim on
    # one's own milestone with Unitree's key is a write (the twin would then conflict).
    return any(code in call.path for code in OTHERS)


@pytest.fixture
def no_throttle(settings: Any) -> Iterator[None]:
    """Lift the API's rate limit out of the way; empty the request counts."""
    settings.API_THROTTLE_RATE = "1000000/minute"
    cache.clear()
    yield
    cache.clear()


def test_a_partner_never_learns_anything_of_projects_it_takes_no_part_in(
    hidden: Hidden, no_throttle: None, record_property: Callable[[str, object], None]
) -> None:
    tried = {"requests": 0, "twins": 0, "refused": 0}
    deepseek = hidden.tokens.deepseek

    @examples("isolation")
    @given(call=_calls(hidden))
    # Always tried, whatever the random draw: another's project by its code (a twin
    # compared, a refusal). 30 random calls once drew none that carried a secret.
    @example(call=Call("GET", f"projects/{world.ROBOTICS}/"))
    def probe(call: Call) -> None:
        sent = {value for value in hidden.secrets if value in call.text()}
        answer = _send(call, deepseek)
        tried["requests"] += 1
        tried["refused"] += answer.status_code >= 400
        assert answer.status_code < 500, _answer(answer)
        learnt = _answer(answer)
        leaked = sorted(
            value
            for value in hidden.secrets - sent
            if any(form in learnt for form in _forms(value))
        )
        assert leaked == [], (call, learnt)
        if not sent or not _comparable(call):
            return
        swaps = _twins(hidden, sent)
        twin = _send(call.swapped(swaps), deepseek)
        tried["twins"] += 1
        assert _problem_type(answer) == _problem_type(twin), call
        unswapped = _replace(_answer(twin), {new: old for old, new in swaps.items()})
        assert learnt == unswapped, call

    probe()
    for name, count in tried.items():
        record_property(f"isolation_{name}", count)
    # The run did try the other's values against the twins, and was refused some of the time.
    assert tried["twins"] > 0
    assert tried["refused"] > 0


def _problem_type(response: Any) -> tuple[int, str | None]:
    if response["Content-Type"].startswith("application/problem+json"):
        return response.status_code, json.loads(response.content)["type"]
    return response.status_code, None
