"""The link in a reminder mail by which a partner's contact reports a milestone's outcome.

Written into mail by ``projects.notifications`` and read by the report page
(``projects.reports``); two doors that may not import each other share it here. The
token is signed with ``SECRET_KEY`` (Django's signing, salted for this use, with the
time it was made) and names the milestone, the contact, the milestone's version when
the mail was written, and the language of the mail. It expires after ``MAX_AGE``; the
report page also refuses it once used, or once the milestone has changed.

The page answers in the mail's language even when the token was altered: the language
is read from the token's unsigned payload then, and only ever chooses among the site's
languages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import time

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "projects.reports.link"
MAX_AGE = dt.timedelta(days=30)
MAX_PAYLOAD = 400  # characters of a token's payload: a milestone key, a contact id, ...
LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


@dataclasses.dataclass(frozen=True)
class ReportLink:
    """What a report link stands for: one contact, one milestone at one version."""

    milestone_key: str  # "CODE/M1"
    contact_id: str
    version: int
    language: str

    @property
    def project_code(self) -> str:
        """Return the code of the milestone's project."""
        return self.milestone_key.rpartition("/")[0]

    @property
    def milestone_id(self) -> str:
        """Return the milestone's id inside its project."""
        return self.milestone_key.rpartition("/")[2]

    @property
    def idempotency_key(self) -> str:
        """Return the key the report is recorded under: one report per contact and version."""
        name = f"{self.contact_id}|{self.milestone_key}|{self.version}"
        return "report-link:" + hashlib.sha256(name.encode()).hexdigest()[:40]


class Validity(enum.Enum):
    """What signature and age say of a token."""

    VALID = "valid"
    EXPIRED = "expired"
    ALTERED = "altered"  # not signed by this registry: cut, changed or made up


@dataclasses.dataclass(frozen=True)
class ReadToken:
    """A token as read: its validity, the link (unless altered) and the language to answer in."""

    validity: Validity
    link: ReportLink | None
    language: str


class _Signer(signing.TimestampSigner):
    """A timestamp signer whose clock can be set (a token made in the past, in tests)."""

    def __init__(self, *, issued: dt.datetime | None = None) -> None:
        super().__init__(salt=SALT)
        self.issued = issued

    def timestamp(self) -> str:
        seconds = self.issued.timestamp() if self.issued is not None else time.time()
        return signing.b62_encode(int(seconds))


def report_token(link: ReportLink, *, issued: dt.datetime | None = None) -> str:
    """Return the signed token of ``link``, made now (or at ``issued``)."""
    payload = {"m": link.milestone_key, "c": link.contact_id, "v": link.version}
    return _Signer(issued=issued).sign_object({**payload, "l": link.language})


def report_url(link: ReportLink, *, issued: dt.datetime | None = None) -> str:
    """Return the absolute URL of the report page for ``link``."""
    path = reverse("reports:report", args=[report_token(link, issued=issued)])
    return settings.SITE_URL.rstrip("/") + path


def _link(payload: object) -> ReportLink:
    if not isinstance(payload, dict):
        raise ValueError("a report token holds an object")
    milestone, contact, version = payload["m"], payload["c"], payload["v"]
    if not (isinstance(milestone, str) and isinstance(contact, str) and type(version) is int):
        raise ValueError("a report token names a milestone, a contact and a version")
    return ReportLink(milestone, contact, version, _language(payload.get("l")))


def _language(value: object) -> str:
    return value if isinstance(value, str) and value in LANGUAGES else settings.LANGUAGE_CODE


def _unsigned_language(token: str) -> str:
    """Return the language a token's payload names, trusting it for nothing else."""
    payload_part = token.split(":", 1)[0]
    if len(payload_part) > MAX_PAYLOAD:  # never decode what no link of ours could hold
        return settings.LANGUAGE_CODE
    try:
        payload = json.loads(signing.b64_decode(payload_part.encode()))
    except (ValueError, UnicodeError, TypeError, RecursionError):  # made-up nesting, too
        return settings.LANGUAGE_CODE
    return _language(payload.get("l") if isinstance(payload, dict) else None)


def read_report_token(token: str) -> ReadToken:
    """Return what ``token`` stands for, whether it is still valid, and the language to use."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        link = _link(signer.unsign_object(token, max_age=MAX_AGE))
    except signing.SignatureExpired:
        try:
            expired = _link(signer.unsign_object(token))
        except (signing.BadSignature, ValueError, KeyError, TypeError):
            return ReadToken(Validity.ALTERED, None, _unsigned_language(token))
        return ReadToken(Validity.EXPIRED, expired, expired.language)
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        return ReadToken(Validity.ALTERED, None, _unsigned_language(token))
    return ReadToken(Validity.VALID, link, link.language)
