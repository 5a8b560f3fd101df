#!/usr/bin/env python3
"""Check that what the cooperation registry told you is in its signed history (RFC 9162).

A partner runs this with its API token, without any of the registry's code: it needs
Python 3.11+ and the ``cryptography`` package (``pip install cryptography``), nothing
else. Each run

1. reads the registry's signing keys and its latest signed tree head, and checks the
   head's Ed25519 signature (and that it was signed while its key was in use);
2. checks that this head extends the head the previous run saw (kept in the state
   file) and, with ``--since SIZE:ROOT``, a head printed in a weekly digest: an RFC 9162
   consistency proof, so that history up to then cannot have been rewritten;
3. reads your whole feed of events: an event seen before must still have the same hash
   and content, and each new one (up to the head's size) must be proven included in
   the head by an RFC 9162 inclusion proof (``--recheck`` proves every one again);
4. saves the head and what it saw in the state file, only when everything verified.

It prints one line per check and ends with ``VERIFIED`` (exit code 0), or stops at the
first failure with ``FAILED at position P: ...`` or ``FAILED: ...`` (exit code 1). A
registry that cannot be reached or answers something unreadable exits with 2.

    REGISTRY_TOKEN=reg_... python verifier.py --api https://registry.example.org/api/v1/

The token may also be given with ``--token`` (visible to other users of the machine).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HEAD_MESSAGE = "cooperation-registry tree head v1\n{tree_size}\n{root_hash}\n{timestamp}\n"
STATE_VERSION = 1
PAGE = 200
RETRIES = 5


class Failed(Exception):
    """A check failed; ``position`` names the event at fault, when there is one."""

    def __init__(self, reason: str, *, position: int | None = None) -> None:
        super().__init__(reason)
        self.position = position


class Unreachable(Exception):
    """The registry could not be reached, or answered something unreadable."""


class Refused(Unreachable):
    """The registry answered with an error status."""

    def __init__(self, status: int, detail: str, url: str) -> None:
        super().__init__(f"{url} answered {status}: {detail}")
        self.status = status


# -- RFC 9162 ---------------------------------------------------------------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf_input: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """Return True if ``path`` proves the leaf in the tree with ``root`` (RFC 9162 §2.1.3.2)."""
    if leaf_index >= tree_size:
        return False
    fn, sn = leaf_index, tree_size - 1
    r = _sha256(b"\x00" + leaf_input)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _sha256(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = _sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Return True if ``proof`` shows tree ``second`` extends tree ``first`` (RFC 9162 §2.1.4.2)."""
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _sha256(b"\x01" + c + fr)
            sr = _sha256(b"\x01" + c + sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = _sha256(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# -- talking to the registry ------------------------------------------------------------------


class Registry:
    """The registry's API, read with one token."""

    def __init__(self, api: str, token: str, *, timeout: float = 30.0) -> None:
        self.api = api if api.endswith("/") else api + "/"
        self.token = token
        self.timeout = timeout

    def get(self, path: str, **params: Any) -> Any:
        """Return the JSON answer to GET ``path`` (relative to the API's root)."""
        url = urllib.parse.urljoin(self.api, path)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        return self.get_url(url)

    def get_url(self, url: str) -> Any:
        """Return the JSON answer to GET ``url``, waiting out rate limits."""
        request = urllib.request.Request(
            url,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "User-Agent": "cooperation-registry-verifier/1",
            },
        )
        for attempt in range(RETRIES):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    return json.loads(answer.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                if error.code == 429 and attempt + 1 < RETRIES:
                    time.sleep(min(60, int(error.headers.get("Retry-After") or 1)))
                    continue
                raise Refused(error.code, _problem_detail(error), url) from None
            except (urllib.error.URLError, OSError) as error:
                raise Unreachable(f"cannot reach {url}: {error}") from None
            except ValueError as error:
                raise Unreachable(f"{url} answered something that is not JSON: {error}") from None
        raise Unreachable(f"{url} kept answering 429")

    def events(self) -> Iterator[dict[str, Any]]:
        """Yield every event of the caller's feed, following ``next`` to an empty page."""
        url = urllib.parse.urljoin(self.api, "events/") + f"?after=0&limit={PAGE}"
        while True:
            page = self.get_url(url)
            results = page.get("results") or []
            if not results:
                return
            yield from results
            url = page["next"]


def _problem_detail(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read().decode("utf-8")).get("detail", ""))
    except (ValueError, AttributeError):
        return error.reason or ""


# -- heads and keys ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Head:
    """A signed tree head."""

    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str

    @classmethod
    def of(cls, data: dict[str, Any]) -> Head:
        """Return the head in an API answer or the state file."""
        try:
            return cls(
                int(data["tree_size"]),
                str(data["root_hash"]),
                str(data["timestamp"]),
                str(data["key_id"]),
                str(data["signature"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise Unreachable(f"a tree head without {error}") from None

    @property
    def root(self) -> bytes:
        """Return the root hash's bytes."""
        return bytes.fromhex(self.root_hash)


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_signature(head: Head, keys: dict[str, dict[str, Any]]) -> None:
    """Raise Failed unless ``head`` is signed by a listed key, within the key's period."""
    key = keys.get(head.key_id)
    if key is None:
        raise Failed(
            f"tree head {head.tree_size} is signed by key {head.key_id}, which is not listed"
        )
    if key.get("algorithm") != "Ed25519":
        raise Failed(f"key {head.key_id} is not an Ed25519 key")
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
        message = HEAD_MESSAGE.format(
            tree_size=head.tree_size, root_hash=head.root_hash, timestamp=head.timestamp
        )
        public.verify(base64.b64decode(head.signature), message.encode("utf-8"))
    except (InvalidSignature, ValueError):
        raise Failed(f"tree head {head.tree_size}: the signature does not verify") from None
    signed = _instant(head.timestamp)
    if signed < _instant(key["not_before"]) or (
        key.get("not_after") and signed > _instant(key["not_after"])
    ):
        raise Failed(f"tree head {head.tree_size} was signed outside its key's period of use")


def check_consistent(registry: Registry, earlier: Head | tuple[int, str], later: Head) -> None:
    """Raise Failed unless ``later`` extends ``earlier`` (a head, or a size and root)."""
    size, root_hex = (
        (earlier.tree_size, earlier.root_hash) if isinstance(earlier, Head) else earlier
    )
    if size > later.tree_size:
        raise Failed(f"the registry's head has {later.tree_size} events, fewer than {size} before")
    if size == 0:
        return
    answer = registry.get("ledger/consistency/", first=size, second=later.tree_size)
    proof = [bytes.fromhex(h) for h in answer.get("proof", [])]
    if not verify_consistency(size, later.tree_size, bytes.fromhex(root_hex), later.root, proof):
        raise Failed(
            f"the tree of {later.tree_size} events does not extend the tree of {size} events "
            f"with root {root_hex}: history up to then was rewritten"
        )


# -- the run ----------------------------------------------------------------------------------


def content_digest(event: dict[str, Any]) -> str:
    """Return a digest of an event as the feed shows it (every field, canonical JSON)."""
    text = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prove(registry: Registry, event: dict[str, Any], head: Head) -> None:
    """Raise Failed unless the feed's ``event`` is proven included in ``head``."""
    position = int(event["position"])
    try:
        answer = registry.get("ledger/inclusion/", position=position, tree_size=head.tree_size)
    except Refused as refused:
        if refused.status == 404:
            message = "the registry cannot prove this event of your feed"
            raise Failed(message, position=position) from None
        raise
    if answer.get("event_hash") != event["hash"]:
        raise Failed(
            f"the proof is for hash {answer.get('event_hash')}, the feed gives {event['hash']}",
            position=position,
        )
    path = [bytes.fromhex(h) for h in answer.get("audit_path", [])]
    leaf = bytes.fromhex(event["hash"])
    if not verify_inclusion(position - 1, head.tree_size, leaf, path, head.root):
        raise Failed(
            f"the event is not in the signed tree head of {head.tree_size} events",
            position=position,
        )


def run(
    registry: Registry, state: dict[str, Any], *, since: str | None, recheck: bool
) -> dict[str, Any]:
    """Verify, print what was checked, and return the new state (raises Failed)."""
    head = Head.of(registry.get("ledger/head/"))  # first: asking may sign it with a new key
    keys = {k["key_id"]: k for k in registry.get("ledger/keys/").get("keys", [])}
    check_signature(head, keys)
    say(f"Signed tree head: {head.tree_size} events, root {head.root_hash}, {head.timestamp}")
    if state.get("head"):
        last = Head.of(state["head"])
        check_consistent(registry, last, head)
        say(f"It extends the head seen last time ({last.tree_size} events, {last.timestamp}).")
    if since:
        size_text, _, root_hex = since.partition(":")
        published = Head.of(registry.get("ledger/head/", tree_size=int(size_text)))
        check_signature(published, keys)
        if published.root_hash != root_hex.lower():
            raise Failed(f"tree head {size_text} was published with root {published.root_hash}")
        check_consistent(registry, published, head)
        say(f"It extends the head {size_text}:{root_hex.lower()} given with --since.")
    seen: dict[str, dict[str, str]] = dict(state.get("events", {}))
    checked = proven = 0
    for event in registry.events():
        position = int(event["position"])
        if position > head.tree_size:
            break  # recorded after the head was signed: the next run proves it
        earlier = seen.get(str(position))
        digest = content_digest(event)
        if earlier is not None and earlier["hash"] != event["hash"]:
            raise Failed(
                f"the feed now gives hash {event['hash']}, it gave {earlier['hash']} before",
                position=position,
            )
        if earlier is not None and earlier["content"] != digest:
            raise Failed("the feed now shows this event differently than before", position=position)
        if earlier is None or recheck:
            prove(registry, event, head)
            proven += 1
        seen[str(position)] = {"hash": event["hash"], "content": digest}
        checked += 1
    say(f"Your events checked: {checked}; proven included in the signed head: {proven}.")
    return {
        "version": STATE_VERSION,
        "api": registry.api,
        "head": dataclasses.asdict(head),
        "events": seen,
    }


def say(line: str) -> None:
    """Print one line of the report."""
    print(line, flush=True)


def load_state(path: Path) -> dict[str, Any]:
    """Return the state the previous run saved (empty on the first run)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise SystemExit(f"Cannot read the state file {path}: {error}") from None
    return state if isinstance(state, dict) else {}


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Write the state atomically (a partial file never replaces a good one)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    """Run the verifier from the command line; return its exit code."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--api",
        default=os.environ.get("REGISTRY_API", ""),
        help="the API's root, e.g. https://registry.example.org/api/v1/ (or REGISTRY_API)",
    )
    parser.add_argument("--token", default=os.environ.get("REGISTRY_TOKEN", ""))
    parser.add_argument(
        "--state",
        type=Path,
        default=Path("registry-verifier-state.json"),
        help="where the last verified head and your events are kept between runs",
    )
    parser.add_argument(
        "--since", metavar="SIZE:ROOT", help="a signed tree head from a digest to check against"
    )
    parser.add_argument(
        "--recheck", action="store_true", help="prove every event again, not only new ones"
    )
    args = parser.parse_args(argv)
    if not args.api or not args.token:
        parser.error("give --api (or REGISTRY_API) and the token in REGISTRY_TOKEN (or --token)")
    if args.since and not _is_head(args.since):
        parser.error("--since takes SIZE:ROOT, e.g. 1234:" + "ab" * 32)
    state = load_state(args.state)
    try:
        new_state = run(
            Registry(args.api, args.token), state, since=args.since, recheck=args.recheck
        )
    except Failed as failure:
        where = f" at position {failure.position}" if failure.position is not None else ""
        say(f"FAILED{where}: {failure}")
        return 1
    except Unreachable as error:
        say(f"ERROR: {error}")
        return 2
    save_state(args.state, new_state)
    say("VERIFIED")
    return 0


def _is_head(text: str) -> bool:
    size, _, root = text.partition(":")
    return size.isdigit() and len(root) == 64 and all(c in "0123456789abcdefABCDEF" for c in root)


if __name__ == "__main__":
    sys.exit(main())
