"""The open-data door: the published projects as IATI 2.03 files, built, checked and served.

A door like the partners' API: it reads through ``projects.selectors`` and writes
nothing but events, through ``projects.application`` (it writes none today: publishing
a project is ``PublishProject``, recorded in the admin). It serves, with no login,
``/open-data/iati/activities.xml`` (``iati-activities``, one ``iati-activity`` per
published project), ``/open-data/iati/organisation.xml`` (``iati-organisations``: the
publisher) and the ``/open-data/`` page; ``manage.py export_iati DIR`` writes the same
two files, and ``--check`` lists what keeps a project out.

The mapping, choice by choice (``codes`` holds the tables, ``mapping`` applies them):

- ``iati-identifier``: ``{IATI_REPORTING_ORG_REF}-{project code}``. The setting is the
  publisher's IATI organisation identifier; ``make run`` uses the placeholder
  ``XX-PLACEHOLDER``, which no registration agency issues, so a file built with it
  cannot be mistaken for a real publisher's; production must set its own
  (``check --deploy`` warns).
- ``reporting-org``: ``ref`` = that identifier, ``type`` and names from the registered
  organisation ``IATI_REPORTING_ORGANISATION`` (default ``hk-gov``).
- Narratives (titles, descriptions, names): English as the file's default language;
  Simplified Chinese under IATI's ``zh``; Traditional Chinese kept beside them in the
  registry's extension element ``registry:narrative lang="zh-Hant"``. IATI's Language
  code list has only ``zh``, with no script, and BCP 47's likely-subtags data (CLDR)
  expands a bare ``zh`` to ``zh-Hans-CN``: search engines, translation tools and IATI's
  portals that meet ``zh`` treat it as Simplified, which is also the script of the
  Zhejiang partners and of most Chinese readers. The standard lets a file carry elements
  of another namespace inside any narrative container, so the Traditional text, the Hong
  Kong side's own, is published too, without breaking ``//@xml:lang`` (which must stay
  on the code list: hence ``lang``, not ``xml:lang``).
- ``description type="1"``: the project's description; a project registered without one
  gets "Cooperation project CODE under agreement AGREEMENT." (IATI needs a description).
- ``participating-org``: one per party and distinct IATI OrganisationRole: funding →
  Funding (1); accountable and lead → Accountable (2); implementing and partner →
  Implementing (4); Extending (3) is never used (no party manages funds for another).
  ``type`` = the organisation's IATI OrganisationType; ``ref`` = its first identifier
  as ``SCHEME-ID`` (org-id.guide form), omitted when it has none.
- ``activity-status``: the project's status as ActivityStatus 1–6.
- ``activity-date``: planned start (1), actual start (2), planned end (3), actual end (4);
  actual dates only once recorded.
- ``contact-info type="1"``: only the publisher's generic address ``IATI_CONTACT_EMAIL``,
  when set. No person's name or address ever reaches a file: contacts live in the
  contact vault, which the open-data selectors never read.
- ``recipient-country``: the countries of the parties' jurisdictions (``HK``,
  ``CN-ZJ-NB`` → ``CN``), in equal shares that add up to 100.
- ``sector vocabulary="1"``: the project's OECD DAC 5-digit purpose code, 100%.
- ``budget type="1" status="1"``: original and indicative, over the planned period,
  ``value currency`` the budget's own, ``value-date`` the planned start. IATI advises
  budget periods of at most a year; the registry holds no yearly breakdown and does not
  invent one. ``default-currency``: the budget's currency (``IATI_DEFAULT_CURRENCY``,
  HKD, when there is no budget).
- ``result``: one per milestone, so slippage is public. ``type`` 1 (output) for a
  delivery milestone, 9 (other) for the rest; title "M1: ..."; a description with its
  type, status, reschedules and days moved; one qualitative indicator (measure 5,
  IATI's shape for milestones) with one period ending on the due date, whose
  ``target`` comment says when it is due and first was, with
  ``registry:schedule due-date original-due-date reschedules days-slipped``; and, once
  an outcome is recorded, an ``actual`` comment ("Met on ...", "Not met", "Cancelled")
  with ``registry:outcome status date``. Claims not yet confirmed are not published.
- ``last-updated-datetime``: when the project's last recorded event happened (UTC).

Every file opens with a comment naming the ledger head (position and hash) it was built
from (``provenance``), and its HTTP answer says it again in ``Ledger-Head``; the ETag is
the position. A project whose sector has no DAC code, whose party has an organisation
type IATI has no code for (or a jurisdiction that is no country), or that has no party,
is left out of the file and reported by project and field (``export_iati --check``, and
the ``/open-data/`` page for officers).
"""
