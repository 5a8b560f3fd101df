"""Every message of every catalogue reads in Chinese: translated, no English left, full-width.

English is the source language (every msgid); each catalogue of the project exists in
Traditional and Simplified Chinese (``locale/zh_Hant``, ``locale/zh_Hans``). For each:
the same messages in both scripts; no empty translation (plural forms included) and
none fuzzy; no English word left in a translation beyond codes; and no ASCII colon,
semicolon, comma, bracket, question or exclamation mark beside a Chinese character.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path.parent.parent.parent
    for path in ROOT.glob("**/locale/zh_Hant/LC_MESSAGES/django.po")
    if not {".venv", "var"} & set(path.relative_to(ROOT).parts)
)
SCRIPTS = ("zh_Hant", "zh_Hans")

# What a translation may keep in Latin letters: placeholders, markup and addresses ...
VERBATIM = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{?\w*\}?\}|<[^>]*>|&\w+;|https?://\S+|\S+@\S+")
# ... codes: all capitals (HKD, API), mixed case (ETag), or with digits, hyphens, dots,
# colons, slashes or underscores (hk-itib, staff:<id>, org-id.guide, verify_ledger) ...
CODE = re.compile(r"^(?:[A-Z0-9]+|[A-Za-z]+[A-Z][A-Za-z]*|\S*[-_.:/0-9]\S*)$")
# ... and these words, which are typed or read as they are: a header's scheme, JSON's
# null, true and false, the problem+json member "errors", an organisation id given as an
# example, the command an operator types, the API's query parameters, and IATI's own names (a
# language code, an attribute, the OrganisationRole code list's names) that the
# open-data page explains.
LITERALS = frozenset(
    {"Bearer", "null", "true", "false", "errors", "deepseek", "python", "zh", "ref", "start", "end"}
    | {"Funding", "Accountable", "Implementing"}
    # The API's pages and its OpenAPI description: HTTP header names, link relations, the
    # members of a problem or a page, and query parameters and values, typed as they are.
    | {"Link", "Deprecation", "Sunset", "Allow", "Accept", "rel", "deprecation"}
    | {"next", "prev", "first", "previous", "type", "detail", "date", "servers"}
    | {"token", "overdue", "true"}
)
CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
ASCII_BESIDE_CJK = re.compile(rf"{CJK} ?[:;,()?!]|[:;,()?!] ?{CJK}")


def entries(path: Path) -> list[dict[str, object]]:
    """Return a .po file's entries: context, id, translations (by plural index), flags."""
    found: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    key: tuple[str, int] = ("", 0)
    for line in [*path.read_text("utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.get("id"):
                found.append(entry)
            entry = {}
            continue
        strs: dict[int, str] = entry.setdefault("strs", {})  # type: ignore[assignment]
        if line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith('"'):
            if key[0] == "str":
                strs[key[1]] += ast.literal_eval(line)
            else:
                entry[key[0]] = str(entry[key[0]]) + ast.literal_eval(line)
        elif not line.startswith("#"):
            word, _space, rest = line.partition(" ")
            if word.startswith("msgstr"):
                key = ("str", int(word[7:-1]) if "[" in word else 0)
                strs[key[1]] = ast.literal_eval(rest)
            else:
                key = ({"msgctxt": "ctxt", "msgid": "id", "msgid_plural": "plural"}[word], 0)
                entry[key[0]] = ast.literal_eval(rest)
    return found


def english_words(text: str) -> list[str]:
    """Return the words of ``text`` that are English, not codes."""
    pieces = re.split(rf"\s+|{CJK}+|[“”]", VERBATIM.sub(" ", text))
    words = []
    for piece in pieces:
        piece = piece.strip(".,;!?()\"'")
        if re.search(r"[A-Za-z]{2}", piece) and not CODE.match(piece) and piece not in LITERALS:
            words.append(piece)
    return words


def _catalogue(root: Path, script: str) -> Path:
    return root / script / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("root", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_scripts_hold_the_same_messages(root: Path) -> None:
    ids = [{(e.get("ctxt"), e["id"]) for e in entries(_catalogue(root, s))} for s in SCRIPTS]

    assert ids[0] ^ ids[1] == set()


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("root", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated_into_chinese_with_its_punctuation(
    root: Path, script: str
) -> None:
    faults = []
    for entry in entries(_catalogue(root, script)):
        strs: dict[int, str] = entry["strs"]  # type: ignore[assignment]
        for text in strs.values() or [""]:
            english = english_words(text)
            beside = ASCII_BESIDE_CJK.findall(VERBATIM.sub("X", text))
            if not text or "fuzzy" in str(entry.get("flags", "")) or english or beside:
                faults.append((entry["id"], text, english, beside))

    assert faults == []


def test_the_check_finds_english_and_ascii_punctuation() -> None:
    assert english_words("请以“Authorization: Bearer <token>”发送 API 令牌，详见 errors。") == []
    assert english_words("例如 hk-itib 或 staff:<用户编号>，ETag 与 HKD") == []
    assert english_words("项目 {code} was registered") == ["was", "registered"]
    assert ASCII_BESIDE_CJK.findall("取消訂閱: 連結") == ["閱:"]
    assert ASCII_BESIDE_CJK.findall("身分：{name}，時間 12:00") == []
