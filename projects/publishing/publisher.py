"""Who publishes the files, and under which identifier and licence (from the settings).

``IATI_REPORTING_ORG_REF`` is the publisher's IATI organisation identifier: every
activity's ``iati-identifier`` starts with it. ``make run`` uses the placeholder
:data:`PLACEHOLDER_REF`; a production registry must set the identifier its publisher
holds (``manage.py check --deploy`` warns while the placeholder is in use).
``IATI_REPORTING_ORGANISATION`` names the registered organisation that publishes (its
names and type are taken from the registry).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.core import checks
from django.urls import reverse
from lxml import etree

from projects import selectors
from projects.domain.values import OrganisationType
from projects.publishing.xmltext import narratives

PLACEHOLDER_REF = "XX-PLACEHOLDER"
DEFAULT_ORGANISATION = "hk-gov"
PREFIX = "registry"


@dataclasses.dataclass(frozen=True)
class Licence:
    """The licence the files are published under."""

    id: str
    name: str
    url: str


@dataclasses.dataclass(frozen=True)
class Publisher:
    """The reporting organisation and the choices every file shares."""

    ref: str
    organisation: str
    registered: bool
    org_type: int
    names: dict[str, str]
    default_currency: str
    contact_email: str
    namespace: str
    licence: Licence
    prefix: str = PREFIX

    def tag(self, name: str) -> str:
        """Return the qualified name of one of the registry's extension elements."""
        return f"{{{self.namespace}}}{name}"

    def reporting_org(self, parent: etree._Element) -> etree._Element:
        """Add the ``reporting-org`` element to ``parent``."""
        element = etree.SubElement(parent, "reporting-org", ref=self.ref, type=str(self.org_type))
        self.name_narratives(element)
        return element

    def name_narratives(self, parent: etree._Element) -> None:
        """Add the publisher's name in English, Simplified Chinese (``zh``) and Traditional."""
        names = self.names if self.names.get("name_en") else {"name_en": self.ref}
        narratives(parent, names, "name", self.tag("narrative"))

    def contact_info(self, parent: etree._Element) -> None:
        """Add the publisher's generic contact address, when one is configured."""
        if not self.contact_email:
            return
        contact = etree.SubElement(parent, "contact-info", type="1")
        self.name_narratives(etree.SubElement(contact, "organisation"))
        etree.SubElement(contact, "email").text = self.contact_email


def publisher() -> Publisher:
    """Return the publisher as the settings and the registry describe it."""
    organisation = getattr(settings, "IATI_REPORTING_ORGANISATION", DEFAULT_ORGANISATION)
    row: dict[str, Any] | None = selectors.publisher_get(organisation)
    names = {k: row[k] for k in ("name_en", "name_zh_hans", "name_zh_hant")} if row else {}
    site = settings.SITE_URL.rstrip("/")
    return Publisher(
        ref=getattr(settings, "IATI_REPORTING_ORG_REF", PLACEHOLDER_REF),
        organisation=organisation,
        registered=row is not None,
        org_type=row["org_type"] if row else OrganisationType.GOVERNMENT.value,
        names=names,
        default_currency=getattr(settings, "IATI_DEFAULT_CURRENCY", "HKD"),
        contact_email=getattr(settings, "IATI_CONTACT_EMAIL", ""),
        namespace=f"{site}{reverse('publishing:open-data')}#extension",
        licence=Licence(
            id=getattr(settings, "OPEN_DATA_LICENCE_ID", "CC-BY-4.0"),
            name=getattr(settings, "OPEN_DATA_LICENCE_NAME", "Creative Commons Attribution 4.0"),
            url=getattr(
                settings,
                "OPEN_DATA_LICENCE_URL",
                "https://creativecommons.org/licenses/by/4.0/",
            ),
        ),
    )


@checks.register(checks.Tags.compatibility, deploy=True)
def placeholder_ref(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn (``check --deploy``) while the files would carry the placeholder identifier."""
    if getattr(settings, "IATI_REPORTING_ORG_REF", PLACEHOLDER_REF) != PLACEHOLDER_REF:
        return []
    return [
        checks.Warning(
            f"IATI_REPORTING_ORG_REF is the placeholder {PLACEHOLDER_REF!r}.",
            hint="Set it to the IATI organisation identifier of the publisher "
            "(docs: README, 'Open data').",
            id="publishing.W001",
        )
    ]
