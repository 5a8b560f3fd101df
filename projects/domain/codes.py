"""The code lists of the domain: enumerations and what they map to.

Field names and codes follow IATI (OrganisationType, ActivityStatus) and OCDS (milestone
types and statuses); the sector list is the registry's own, mapped to OECD DAC codes.
Members that messages mention have ``.word``: the member as words, marked for
translation. :mod:`projects.domain.values` re-exports everything here.
"""

from __future__ import annotations

import enum

from projects.domain.text import Phrase, _

# -- enumerations ------------------------------------------------------------------------


class _Worded:
    """Enum mixin: ``member.word``, the member as words for messages (see ``_WORDS``)."""

    @property
    def word(self) -> Phrase:
        """Return the member as words for messages, marked for translation."""
        return _WORDS[self]


class OrganisationType(enum.Enum):
    """IATI OrganisationType code list (stored as its integer code)."""

    GOVERNMENT = 10
    LOCAL_GOVERNMENT = 11
    OTHER_PUBLIC_SECTOR = 15
    INTERNATIONAL_NGO = 21
    NATIONAL_NGO = 22
    PUBLIC_PRIVATE_PARTNERSHIP = 30
    MULTILATERAL = 40
    PRIVATE_SECTOR = 70
    ACADEMIC_TRAINING_AND_RESEARCH = 80
    OTHER = 90

    @property
    def label(self) -> str:
        """Return the IATI English name, e.g. 'Local Government'."""
        if self is OrganisationType.ACADEMIC_TRAINING_AND_RESEARCH:
            return "Academic, Training and Research"
        if self in (OrganisationType.INTERNATIONAL_NGO, OrganisationType.NATIONAL_NGO):
            return self.name.split("_")[0].title() + " NGO"
        return self.name.replace("_", " ").title()


class Sector(enum.Enum):
    """The registry's own sector list; each maps to an OECD DAC 5 purpose code."""

    TECHNOLOGICAL_INNOVATION = "technological_innovation"
    TRADE = "trade"
    HOUSING = "housing"
    SUPPLY_CHAIN_SERVICES = "supply_chain_services"
    ARTIFICIAL_INTELLIGENCE = "artificial_intelligence"
    ROBOTICS = "robotics"
    DIGITAL_ECONOMY = "digital_economy"
    FINANCE_AND_LISTINGS = "finance_and_listings"
    LOGISTICS_AND_PORTS = "logistics_and_ports"
    CULTURE_AND_CREATIVE = "culture_and_creative"
    HEALTH_AND_LIFE_SCIENCES = "health_and_life_sciences"
    EDUCATION_AND_TALENT = "education_and_talent"

    @property
    def dac_code(self) -> int:
        """Return the OECD DAC 5 (CRS purpose) code of the sector."""
        return DAC_CODES[self]

    @property
    def label(self) -> str:
        """Return the English name, e.g. 'Logistics and ports'."""
        return self.value.replace("_", " ").capitalize()


DAC_CODES: dict[Sector, int] = {
    Sector.TECHNOLOGICAL_INNOVATION: 32182,  # Technological research and development
    Sector.TRADE: 33110,  # Trade policy and administrative management
    Sector.HOUSING: 16030,  # Housing policy and administrative management
    Sector.SUPPLY_CHAIN_SERVICES: 33120,  # Trade facilitation
    Sector.ARTIFICIAL_INTELLIGENCE: 22040,  # Information and communication technology
    Sector.ROBOTICS: 32120,  # Industrial development
    Sector.DIGITAL_ECONOMY: 22010,  # Communications policy and administrative management
    Sector.FINANCE_AND_LISTINGS: 24010,  # Financial policy and administrative management
    Sector.LOGISTICS_AND_PORTS: 21040,  # Water transport (ports)
    Sector.CULTURE_AND_CREATIVE: 16061,  # Culture and recreation
    Sector.HEALTH_AND_LIFE_SCIENCES: 12182,  # Medical research
    Sector.EDUCATION_AND_TALENT: 11430,  # Advanced technical and managerial training
}


class ActivityStatus(_Worded, enum.Enum):
    """IATI ActivityStatus; ``iati_code`` gives the code (1..6) to store beside it."""

    PIPELINE = "pipeline"
    IMPLEMENTATION = "implementation"
    FINALISATION = "finalisation"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"

    @property
    def iati_code(self) -> int:
        """Return the IATI ActivityStatus code: 1 pipeline ... 6 suspended."""
        return _IATI_ACTIVITY_STATUS_CODES[self]

    @property
    def is_terminal(self) -> bool:
        """Return True for closed and cancelled, which nothing follows."""
        return not STATUS_TRANSITIONS[self]


_IATI_ACTIVITY_STATUS_CODES = {
    ActivityStatus.PIPELINE: 1,
    ActivityStatus.IMPLEMENTATION: 2,
    ActivityStatus.FINALISATION: 3,
    ActivityStatus.CLOSED: 4,
    ActivityStatus.CANCELLED: 5,
    ActivityStatus.SUSPENDED: 6,
}


STATUS_TRANSITIONS: dict[ActivityStatus, frozenset[ActivityStatus]] = {
    ActivityStatus.PIPELINE: frozenset(
        {ActivityStatus.IMPLEMENTATION, ActivityStatus.CANCELLED, ActivityStatus.SUSPENDED}
    ),
    ActivityStatus.IMPLEMENTATION: frozenset(
        {ActivityStatus.FINALISATION, ActivityStatus.SUSPENDED, ActivityStatus.CANCELLED}
    ),
    ActivityStatus.FINALISATION: frozenset({ActivityStatus.CLOSED, ActivityStatus.IMPLEMENTATION}),
    ActivityStatus.SUSPENDED: frozenset(
        {ActivityStatus.IMPLEMENTATION, ActivityStatus.PIPELINE, ActivityStatus.CANCELLED}
    ),
    ActivityStatus.CLOSED: frozenset(),
    ActivityStatus.CANCELLED: frozenset(),
}


class Currency(enum.Enum):
    """Currencies a budget may be expressed in (ISO 4217)."""

    HKD = "HKD"
    CNY = "CNY"
    USD = "USD"


class PartyRole(_Worded, enum.Enum):
    """Roles an organisation may hold in a project (one or more each)."""

    LEAD = "lead"
    FUNDING = "funding"
    ACCOUNTABLE = "accountable"
    IMPLEMENTING = "implementing"
    PARTNER = "partner"


class MilestoneType(enum.Enum):
    """OCDS milestone type code list."""

    APPROVAL = "approval"
    ENGAGEMENT = "engagement"
    ASSESSMENT = "assessment"
    DELIVERY = "delivery"
    REPORTING = "reporting"
    FINANCING = "financing"
    PAYMENT = "payment"


class MilestoneStatus(_Worded, enum.Enum):
    """OCDS milestone status, plus ``cancelled``."""

    SCHEDULED = "scheduled"
    MET = "met"
    NOT_MET = "notMet"
    PARTIALLY_MET = "partiallyMet"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Return True unless met or cancelled: open milestones may still change."""
        return self not in (MilestoneStatus.MET, MilestoneStatus.CANCELLED)


class ClaimedStatus(enum.Enum):
    """What a partner may claim about a milestone."""

    MET = "met"
    PARTIALLY_MET = "partiallyMet"
    NOT_MET = "notMet"

    @property
    def milestone_status(self) -> MilestoneStatus:
        """Return the milestone status the claim leads to once confirmed."""
        return MilestoneStatus(self.value)

    @property
    def word(self) -> Phrase:
        """Return the claimed status as words for messages, marked for translation."""
        return self.milestone_status.word

    @property
    def sets_date_met(self) -> bool:
        """Return True if a confirmed claim records the claimed date as the date met."""
        return self is not ClaimedStatus.NOT_MET


# Enumeration members as words in messages (English: the code's own words).
_WORDS: dict[object, Phrase] = {
    ActivityStatus.PIPELINE: Phrase(_("pipeline")),
    ActivityStatus.IMPLEMENTATION: Phrase(_("implementation")),
    ActivityStatus.FINALISATION: Phrase(_("finalisation")),
    ActivityStatus.CLOSED: Phrase(_("closed")),
    ActivityStatus.CANCELLED: Phrase(_("cancelled")),
    ActivityStatus.SUSPENDED: Phrase(_("suspended")),
    MilestoneStatus.SCHEDULED: Phrase(_("scheduled")),
    MilestoneStatus.MET: Phrase(_("met")),
    MilestoneStatus.NOT_MET: Phrase(_("not met")),
    MilestoneStatus.PARTIALLY_MET: Phrase(_("partially met")),
    MilestoneStatus.CANCELLED: Phrase(_("cancelled")),
    PartyRole.LEAD: Phrase(_("lead")),
    PartyRole.FUNDING: Phrase(_("funding")),
    PartyRole.ACCOUNTABLE: Phrase(_("accountable")),
    PartyRole.IMPLEMENTING: Phrase(_("implementing")),
    PartyRole.PARTNER: Phrase(_("partner")),
}


def canonical_roles(roles: tuple[PartyRole, ...]) -> tuple[PartyRole, ...]:
    """Return the distinct roles in the order PartyRole declares them."""
    return tuple(role for role in PartyRole if role in roles)
