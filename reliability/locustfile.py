"""The simulated users of the load run (``python -m reliability.load`` starts locust on it).

Runs in locust's own process (gevent), so it imports nothing of Django: what it needs
(tokens, logins, projects, milestones) comes from the plan file ``LOAD_PLAN`` written by
:mod:`reliability.load`, and what it saw goes to ``LOAD_RECORD`` when the run stops:

- every request's kind and status (the figures per kind come from locust's own CSV),
- every accepted write: a claim's Idempotency-Key, an admin change's unique reason,
  with the version it answered, so the log can be searched for each one afterwards,
- every feed reader's cursor and each position it was handed, in order.

The kinds: partners read projects, follow the feed and claim milestones (``If-Match``
and ``Idempotency-Key``; some claims are sent twice to see the replay); liaison officers
log in and post the admin's command forms with their CSRF token, returning the claims
partners made and rescheduling milestones. Both doors pause between reading and writing,
as people do (gevent's sleep), so a write may meet another made meanwhile. 409 and 412
are conflicts the API answers by design, as is the admin's form shown again with the
reason; any 5xx is an error.

Mail is not a user's request: :mod:`reliability.load` queues the reminder and digest
scans while these users work (a claim is a reminder's occasion), and counts the mail.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from locust import HttpUser, between, events, task
from locust.env import Environment

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
RECORD_PATH = Path(os.environ["LOAD_RECORD"])
COUNTS = PLAN["users"]
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VERSION = re.compile(r'name="expected_version" value="(\d+)"')
_CHANGED = "was changed since you opened this form"
_ERROR = re.compile(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.S)
_TAG = re.compile(r"<[^>]+>")
_SELECT = re.compile(r'<select name="milestone_id"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="([^"]+)"')

# What the users saw, written out when the run stops.
statuses: collections.Counter[tuple[str, int]] = collections.Counter()
timings: dict[str, list[float]] = collections.defaultdict(list)
claims: list[dict[str, Any]] = []
changes: list[dict[str, Any]] = []
readers: list[dict[str, Any]] = []
refusals: collections.Counter[str] = collections.Counter()
# Claims accepted and not yet returned: what the officers' return-claim forms work on.
pending: collections.deque[tuple[str, str]] = collections.deque()
_partner_turn = itertools.count()
_staff_turn = itertools.count()


@events.request.add_listener
def _count(
    name: str, response_time: float, response: Any, exception: Exception | None, **_: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0
    statuses[(name, int(status))] += 1
    timings[name].append(float(response_time))


@events.test_stop.add_listener
def _write_record(environment: Environment, **_: Any) -> None:
    RECORD_PATH.write_text(
        json.dumps(
            {
                "statuses": [[name, code, n] for (name, code), n in sorted(statuses.items())],
                "timings_ms": timings,
                "claims": claims,
                "changes": changes,
                "readers": readers,
                "refusals": refusals,
            }
        )
    )


def _partner() -> dict[str, Any]:
    """Return the next partner organisation's plan (tokens shared round-robin)."""
    partners = PLAN["partners"]
    return partners[next(_partner_turn) % len(partners)]


class Partner(HttpUser):
    abstract = True
    wait_time = between(0.3, 1.5)

    def on_start(self) -> None:
        self.partner = _partner()
        self.client.headers.update(
            {"Authorization": f"Bearer {self.partner['token']}", "Accept-Language": "en"}
        )

    def _get(self, path: str, name: str) -> Any:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            return response


class Reader(Partner):
    """A partner reading its projects: the list, one project, its history."""

    fixed_count = COUNTS["reader"]

    @task(2)
    def project_list(self) -> None:
        offset = random.choice([0, 0, 10, 20])
        self._get(f"/api/v1/projects/?limit=10&offset={offset}", "api: project list")

    @task(3)
    def project(self) -> None:
        code = random.choice(self.partner["projects"])
        self._get(f"/api/v1/projects/{code}/", "api: project")

    @task(1)
    def history(self) -> None:
        code = random.choice(self.partner["projects"])
        self._get(f"/api/v1/projects/{code}/events/", "api: project history")


class FeedReader(Partner):
    """A partner following the feed: keeps its cursor, records every position handed out."""

    fixed_count = COUNTS["feed"]
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        super().on_start()
        self.seen: dict[str, Any] = {
            "organisation": self.partner["organisation"],
            "after": 0,
            "positions": [],
            "pages": 0,
        }
        readers.append(self.seen)

    @task
    def follow(self) -> None:
        after = self.seen["after"]
        response = self._get(f"/api/v1/events/?after={after}&limit=50", "api: feed page")
        if response.status_code != 200:
            return
        page = response.json()
        self.seen["positions"] += [event["position"] for event in page["results"]]
        self.seen["after"] = int(parse_qs(urlsplit(page["next"]).query)["after"][0])
        self.seen["pages"] += 1


class Claimer(Partner):
    """A partner reporting on its milestones: reads the ETag, claims with a fresh key."""

    fixed_count = COUNTS["claimer"]
    wait_time = between(0.5, 2.0)

    @task
    def claim(self) -> None:
        mine = self.partner["claimable"]
        if not mine:
            return
        code = random.choice(mine)[0]
        read = self._get(f"/api/v1/projects/{code}/", "api: project")
        if read.status_code != 200:
            return
        # What a partner would do: claim one of its open milestones with no claim pending.
        choices = [
            m["id"]
            for m in read.json()["milestones"]
            if [code, m["id"]] in mine
            and m["status"] in PLAN["open_statuses"]
            and m["pending_claim"] is None
        ]
        if not choices:
            return
        milestone = random.choice(choices)
        # A person decides between reading and claiming; others may write meanwhile, and
        # the claim then meets a 412 (stale ETag) or a 409 (claimed by a colleague).
        time.sleep(random.uniform(0.2, 2.0))
        key = uuid.uuid4().hex
        headers = {"If-Match": read.headers["ETag"], "Idempotency-Key": key}
        body = {"outcome": random.choice(["met", "partiallyMet"]), "date": PLAN["today"]}
        body["note"] = f"load {key[:8]}"
        path = f"/api/v1/projects/{code}/milestones/{milestone}/claims/"
        answer = self._post_claim(path, body, headers)
        if answer is None:
            return
        accepted = {"key": key, "project": code, "milestone": milestone, **answer}
        claims.append(accepted)
        pending.append((code, milestone))
        if random.random() < 0.2:  # a retry after a lost answer: the first answer again
            again = self._post_claim(path, body, headers, retry=True)
            if again is not None:
                accepted["retry"] = again

    def _post_claim(
        self, path: str, body: dict[str, str], headers: dict[str, str], *, retry: bool = False
    ) -> dict[str, Any] | None:
        """Post a claim; return what a 201 said, None for a designed refusal or an error.

        A retry (the same key and body) must be answered 201 again: anything else fails.
        """
        name = "api: claim (retried)" if retry else "api: claim"
        with self.client.post(
            path, json=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code == 201:
                return {
                    "version": response.json()["version"],
                    "position": response.json()["position"],
                    "replayed": response.headers.get("Idempotent-Replayed") == "true",
                }
            if response.status_code in (409, 412) and not retry:
                response.success()  # a conflict answered as designed
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            return None


class Officer(HttpUser):
    """A liaison officer in the admin: returns partners' claims, reschedules milestones."""

    fixed_count = COUNTS["staff"]
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.client.headers["Accept-Language"] = "en"
        staff = PLAN["staff"]
        self.login = staff[next(_staff_turn) % len(staff)]
        form = self.client.get("/admin/login/", name="admin: login form")
        token = _CSRF.search(form.text)
        fields = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "username": self.login["username"],
            "password": self.login["password"],
            "next": "/admin/",
        }
        with self.client.post(
            "/admin/login/?next=/admin/",
            data=fields,
            name="admin: log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused: {response.status_code}")

    @task(2)
    def return_claim(self) -> None:
        if not pending:
            return self.reschedule()
        code, milestone = pending.popleft()
        reason = f"load return {uuid.uuid4().hex}"
        self._command(code, "return-claim", {"milestone_id": milestone, "reason": reason})

    @task(3)
    def reschedule(self) -> None:
        milestone = random.choice(PLAN["milestones"])
        start = dt.date.fromisoformat(milestone["start"])
        days = (dt.date.fromisoformat(milestone["end"]) - start).days
        due = start + dt.timedelta(days=random.randint(0, max(days, 0)))
        reason = f"load reschedule {uuid.uuid4().hex}"
        fields = {"milestone_id": milestone["id"], "new_due_date": due.isoformat()}
        self._command(milestone["project"], "reschedule-milestone", {**fields, "reason": reason})

    def _command(self, code: str, slug: str, fields: dict[str, str]) -> None:
        """Open a command form, post it with its CSRF token; record an accepted change."""
        path = f"/admin/projects/project/{code}/command/{slug}/"
        form = self.client.get(
            f"{path}?milestone_id={fields['milestone_id']}", name=f"admin: {slug} form"
        )
        token, version = _CSRF.search(form.text), _VERSION.search(form.text)
        if form.status_code != 200 or token is None or version is None:
            return
        # The form offers only the milestones the command applies to (open, no claim
        # pending; a pending claim to return): an officer picks one of those.
        select = _SELECT.search(form.text)
        offered = _OPTION.findall(select.group(1)) if select else []
        if fields["milestone_id"] not in offered:
            if slug != "reschedule-milestone" or not offered:
                return
            fields = {**fields, "milestone_id": random.choice(offered)}
        time.sleep(random.uniform(0.5, 3.0))  # filling in the form; partners may claim meanwhile
        data = {**fields, "csrfmiddlewaretoken": token.group(1), "expected_version": version[1]}
        with self.client.post(
            path,
            data=data,
            headers={"Referer": f"{self.host}{path}"},
            name=f"admin: {slug}",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                changes.append(
                    {"project": code, "action": slug, "reason": fields["reason"], **fields}
                    | {"version": int(version[1]) + 1}
                )
            elif response.status_code == 200:
                # The form again, with the reason: a conflict, or a refusal by the domain
                # (a pending claim, the same date): both answered as designed.
                kind = "conflict" if _CHANGED in response.text else "refused"
                statuses[(f"admin: {slug} ({kind})", 200)] += 1
                refusals[f"{slug}: {_reason(response.text)}"] += 1
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")


def _reason(page: str) -> str:
    """Return the form's first error, its names and dates left out (to count by kind)."""
    if _CHANGED in page:
        return _CHANGED
    found = _ERROR.search(page)
    if found is None:
        return "no error shown"
    words = [w for w in _TAG.sub(" ", found.group(1)).split() if not any(c.isdigit() for c in w)]
    return " ".join(words)[:90]
