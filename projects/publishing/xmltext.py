"""Text as the files carry it: cleaned for XML, in English and both Chinese scripts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from projects.publishing import codes

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot carry (old events may hold them): dropped from every text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    """Return ``text`` without characters XML cannot hold, on one line, trimmed."""
    return " ".join(_NOT_XML.sub("", text or "").split())


def narratives(parent: etree._Element, row: Mapping[str, Any], prefix: str, other: str) -> None:
    """Add the narratives of ``row``'s ``{prefix}_en``/``_zh_hans``/``_zh_hant`` to ``parent``.

    English is the file's default language; Simplified Chinese goes under IATI's ``zh``;
    Traditional Chinese in ``other``, the registry's own element (IATI lets a file add
    elements of another namespace), tagged ``lang="zh-Hant"``.
    """
    english = clean(row.get(f"{prefix}_en"))
    if english:
        etree.SubElement(parent, "narrative").text = english
    chinese = clean(row.get(f"{prefix}_{codes.ZH_FIELD}"))
    if chinese:
        etree.SubElement(parent, "narrative", {XML_LANG: codes.CHINESE}).text = chinese
    traditional = clean(row.get(f"{prefix}_{codes.OTHER_ZH_FIELD}"))
    if traditional:
        etree.SubElement(parent, other, lang=codes.OTHER_ZH_TAG).text = traditional
