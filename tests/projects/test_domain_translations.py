"""Every message the domain writes exists in Traditional and Simplified Chinese.

The templates are found in the source (each ``_("...")`` under ``projects/domain``),
so a new refusal without a translation fails here, as does a translation whose
placeholders differ from its template's (it would fall back to English).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from pathlib import Path

import pytest
from django.utils import translation

from projects.domain import LocalisedText, errors, limits
from projects.domain.text import Phrase, PhraseList, _
from projects.domain.values import ActivityStatus, PartyRole
from projects.i18n import error_message

DOMAIN = Path(__file__).resolve().parents[2] / "projects" / "domain"
LANGUAGES = ("zh_Hant", "zh_Hans")


def templates() -> set[str]:
    """Return every string the domain marks with ``_``."""
    found = set()
    for path in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def catalogue(language: str) -> dict[str, tuple[str, set[str]]]:
    """Return msgid -> (msgstr, flags) of one language's domain catalogue."""
    text = (DOMAIN / "locale" / language / "LC_MESSAGES" / "django.po").read_text("utf-8")
    entries: dict[str, tuple[str, set[str]]] = {}
    flags: set[str] = set()
    parts: dict[str, list[str]] = {}
    current = ""

    def flush() -> None:
        if "msgstr" in parts:
            entries[_unquote(parts["msgid"])] = (_unquote(parts["msgstr"]), set(flags))
            parts.clear()
            flags.clear()

    for line in [*text.splitlines(), "#"]:
        if line.startswith("#") or not line.strip():
            flush()
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(","))
        elif line.startswith(("msgid ", "msgstr ")):
            current, _space, rest = line.partition(" ")
            parts[current] = [rest]
        elif line.startswith('"'):
            parts[current].append(line)
    return entries


def placeholders(template: str) -> set[str]:
    """Return the names of the ``{name}`` fields of a template."""
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_the_domain_marks_its_messages() -> None:
    assert len(templates()) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_domain_template_is_translated_with_the_same_placeholders(language: str) -> None:
    entries = catalogue(language)
    header_msgstr, header_flags = entries.pop("")

    assert "fuzzy" not in header_flags
    assert f"Language: {language}" in header_msgstr
    untranslated = sorted(t for t in templates() if not entries.get(t, ("", set()))[0])
    assert untranslated == []
    fuzzy = sorted(msgid for msgid, (_msgstr, flags) in entries.items() if "fuzzy" in flags)
    assert fuzzy == []
    mismatched = {
        msgid: msgstr
        for msgid, (msgstr, _flags) in entries.items()
        if placeholders(msgid) != placeholders(msgstr)
    }
    assert mismatched == {}
    assert sorted(set(entries) - templates()) == []  # nothing stale left behind


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The title in Traditional Chinese is too long: at most 400 characters, not 401."),
        ("zh-hant", "繁體中文標題過長：最多 400 個字元，現有 401 個。"),
        ("zh-hans", "繁体中文标题过长：最多 400 个字符，现有 401 个。"),
    ],
)
def test_a_limit_refusal_reads_in_the_readers_language(language: str, expected: str) -> None:
    with pytest.raises(errors.TextTooLong) as refused:
        limits.MaxLength(limits.TITLE_LENGTH, Phrase(_("title")))(
            LocalisedText("T", zh_hant="標" * 401), "titles"
        )

    assert refused.value.field == "titles.zh_hant"
    with translation.override(language):
        assert error_message(refused.value) == expected


def test_phrases_and_lists_of_phrases_are_translated_inside_the_message() -> None:
    refusal = errors.InvalidStatusTransition(
        _(
            "Project {code} cannot move from {current} to {target}; from {current} it can move "
            "to {allowed}."
        ),
        code="HKZJ-2025-AI-01",
        current=ActivityStatus.PIPELINE.word,
        target=ActivityStatus.CLOSED.word,
        allowed=PhraseList(s.word for s in (ActivityStatus.CANCELLED, ActivityStatus.SUSPENDED)),
    )

    assert refusal.message.endswith("it can move to cancelled and suspended.")
    with translation.override("zh-hant"):
        assert error_message(refusal) == (
            "項目 HKZJ-2025-AI-01 不能由籌備狀態轉為結束狀態；由籌備狀態只可轉為取消及暫停狀態。"
        )
    with translation.override("zh-hans"):
        assert "取消和暂停" in error_message(refusal)


@pytest.mark.django_db  # organisations are named by name where registered (projects.i18n)
def test_dates_and_roles_fill_a_translated_template() -> None:
    refusal = errors.NothingToChange(
        _("{organisation} already holds the roles {roles}."),
        organisation="hk-itib",
        roles=PhraseList([PartyRole.LEAD.word, PartyRole.FUNDING.word]),
    )
    late = errors.DateInTheFuture(
        _(
            "The {what} ({day}) is after today ({today}); only what has already happened can "
            "be recorded."
        ),
        what=Phrase(_("signing date")),
        day=dt.date(2099, 1, 1),
        today=dt.date(2025, 9, 1),
    )

    with translation.override("zh-hant"):
        assert error_message(refusal) == "hk-itib已擔任牽頭方及出資方。"
        assert error_message(late).startswith("簽署日期（2099-01-01）在今天（2025-09-01）之後")
    assert re.search(r"\(2099-01-01\) is after today \(2025-09-01\)", late.message)
