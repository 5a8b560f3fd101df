"""The report's "Bad input tried" and "Security" sections, from the suite's junit results.

Each claim names the tests that prove it; its result is read from the run's junit XML
(a test that did not run says so, it is never counted as passed). Figures are what the
tests recorded with ``record_property``.

``python -m reliability.proofs JUNIT`` prints both sections for a junit file written by
``pytest -o junit_family=xunit1 --junitxml=JUNIT`` (to check them without a full run).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from reliability.markdown import table
from testkit import budget

Suite = dict[str, Any]

# File -> what it tries; the figure is its number of cases.
BROKEN_FILES = [
    (
        "tests/seeds/test_load_seeds.py",
        "`load_seeds` with broken seed files: invalid JSON, a missing or unknown field, an "
        "impossible or non-ISO date, a party that is no organisation, a refusal late in "
        "the set, an unknown set or folder",
        "test_a_broken_set|test_a_domain_refusal|test_an_unknown_data_set|test_a_data_folder",
        "refused naming file, record and field (or the line of bad JSON); nothing written",
    ),
    (
        "tests/registry/test_import_refusals.py",
        "`import_events` with a bad JSON line, a field changed (hash left as it was, or "
        "re-hashed but not canonical: `Z` time, `3.0`, a naive or offset time, text "
        "versions, a body of the wrong shape, values beyond the columns), a missing or "
        "unknown field, a key or version used twice, a wrong or unmet checkpoint",
        "test_",
        "refused naming the file, the line and the field; nothing written",
    ),
    (
        "tests/registry/test_transfer.py",
        "`import_events` with lines not JSON, not UTF-8, NaN, not an object, missing, "
        "repeated, reordered, tampered, re-chained from another log; into a non-empty log",
        "test_a_|test_an_import_into",
        "refused naming the line; nothing written",
    ),
    (
        "tests/api/test_strict_input.py",
        "the API with a body nested 33 to 50,000 deep, `NaN`, a member given twice, bytes "
        "not UTF-8, cut-off JSON; `as_of` in year 1, before 2000 or in the future; "
        "positions as `1.0`, `+1`, `1e3`; a parameter given twice; `%FF%FE`; ranges that "
        "end before they start; dates not `YYYY-MM-DD` or outside 2000–2100; a token with "
        "a trailing space, tab or line break",
        "test_",
        "each 400 (or 401) problem+json naming the field, never a 500; nothing written",
    ),
    (
        "tests/projects/domain/test_plaintext.py",
        "commands with C0 and C1 controls, line and paragraph separators and bidi "
        "embeddings, overrides and isolates in single-line texts (titles, names, places, "
        "token and contact names), other controls in multi-line texts",
        "test_",
        "refused naming the field in three languages; line breaks normalised; events "
        "recorded before the rules still read",
    ),
    (
        "tests/projects/domain/test_dates.py",
        "every business date of every command at 1900-01-01, 1999-12-31, 2101-01-01 and "
        "2999-12-31; a project planned outside its agreement's period",
        "test_",
        "refused naming the field; 2000-01-01 and 2100-12-31 accepted; old events read",
    ),
]

# (claim, [(file, test name or "" for the whole file)])
CONTACTS = "tests/projects/application/test_contacts.py"

SECURITY: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Organisation isolation: the permission matrix (every endpoint and object, for two "
        "partners, staff, expired, revoked and no token)",
        [("tests/api/test_permissions.py", "")],
    ),
    (
        "Organisation isolation, fuzzed: a partner looking for another's data finds nothing, "
        "and is refused exactly as for a missing object",
        [("tests/reliability/test_isolation_fuzz.py", "")],
    ),
    (
        "Tokens hashed at rest (SHA-256 of the token in the event and the read model; the "
        "secret in no table and no event field)",
        [
            ("tests/api/test_token_secrecy.py", "test_no_table_holds_any_token_secret"),
            ("tests/api/test_tokens.py", "test_issue_api_token_prints_the_token_and_nothing_else"),
            ("tests/projects/domain/test_access.py", "test_the_secret_itself_is_no_field"),
        ],
    ),
    (
        "Tokens compared in constant time (`hmac.compare_digest` of the hashes; a wrong "
        "secret refused)",
        [
            ("tests/api/test_token_secrecy.py", "test_a_token_is_checked_by_comparing_hashes"),
            ("tests/api/test_tokens.py", "test_a_token_with_a_wrong_secret_is_refused"),
        ],
    ),
    (
        "Admin login throttled: five failed logins POSTed lock the account (429, logged), "
        "the right password too while locked",
        [("tests/config/test_security_logs.py", "test_repeated_failed_logins_lock_the_account")],
    ),
    (
        "CSRF: an admin form posted without (or with a wrong) token is refused and writes "
        "nothing; with the page's token it is recorded; the login form refuses too",
        [
            ("tests/projects/admin/test_csrf.py", ""),
            ("tests/config/test_security_logs.py", "test_a_failed_csrf_check_is_logged_once_too"),
        ],
    ),
    (
        "Secure cookies: with the production settings, the session cookie is Secure, "
        "HttpOnly, SameSite=Lax; the CSRF cookie Secure",
        [("tests/config/test_transport_security.py", "test_session_and_csrf_cookies")],
    ),
    (
        "HSTS (a year, subdomains, preload) on HTTPS answers; plain HTTP redirected to HTTPS",
        [
            ("tests/config/test_transport_security.py", "test_https_answers_carry_hsts"),
            ("tests/config/test_transport_security.py", "test_plain_http_is_sent_to_https"),
        ],
    ),
    (
        "Content-Security-Policy: sent by the production web process; the admin, the "
        "unsubscribe page and the API docs run in Chromium with no violation",
        [
            ("tests/config/test_production_web.py", "test_pages_carry_the_security_headers"),
            ("tests/browser/test_content_security_policy.py", ""),
        ],
    ),
    (
        "`check --deploy` clean with the production settings (and naming what only suits a "
        "development machine)",
        [("tests/config/test_deploy.py", "test_check_deploy")],
    ),
    (
        "No secret in the repository (private keys, secret keys, cloud and chat tokens); "
        "local state ignored by git",
        [
            ("tests/config/test_deploy.py", "test_the_repository_holds_no_secret"),
            ("tests/config/test_deploy.py", "test_local_state_is_never_committed"),
        ],
    ),
    (
        "Personal data only outside event bodies: a contact's name and email in the vault, "
        "events refer to the contact by id (a change by field name only)",
        [
            (CONTACTS, "test_a_registered_contact_keeps_name_and_email"),
            (CONTACTS, "test_a_changed_email_is_recorded_by_field_name"),
        ],
    ),
    (
        "Erasing a contact blanks the vault and keeps `verify_ledger` passing",
        [(CONTACTS, "test_erasing_a_contact_blanks_the_vault")],
    ),
    (
        "The database guards the chain against the application itself: as the runtime role "
        "a rewind, a re-hash, a head moved past the log, a skipped position, a broken or "
        "restarted link and an event the head does not name are refused; appends go on",
        [
            ("tests/reliability/test_database_roles.py", "test_the_application_role_cannot_"),
            ("tests/registry/test_chain_guard.py", ""),
        ],
    ),
    (
        "Rate limits hold under concurrency: 8 threads against a limit of 40 get exactly "
        "40 through (Redis `INCR` with expiry in a Lua script; local counters under a lock)",
        [("tests/api/test_throttle_concurrency.py", "")],
    ),
    (
        "Exports cannot run code: a cell starting with `=`, `+`, `-`, `@`, a tab or CR is "
        "quoted in CSV and a string cell in XLSX, in every export",
        [("tests/projects/reading/test_export_formulas.py", "")],
    ),
    (
        "No reader passes on a line break or a direction override recorded before the text "
        "rules: mail headers, the calendar, the admin's pages and raw event data",
        [
            ("tests/notifications/test_old_data.py", ""),
            ("tests/projects/reading/test_old_data_pages.py", ""),
            ("tests/api/test_calendar.py", "test_a_title_recorded_with_breaks"),
        ],
    ),
    (
        "The `Authorization` header is `Bearer <token>` exactly; a token with trailing "
        "whitespace is refused",
        [("tests/api/test_strict_input.py", "test_the_authorization_header")],
    ),
]


def _cases(suite: Suite, path: str, prefix: str) -> tuple[int, int]:
    """Return (cases run, cases failed) of the tests in ``path`` whose names match."""
    result = suite.get(path, {})
    pattern = re.compile(rf"(?:{prefix})" if prefix else "")
    names = [n for n in result.get("cases", []) if pattern.match(n)]
    failed = [n for n in result.get("failures", []) if pattern.match(n)]
    return len(names), len(failed)


def _verdict(run: int, failed: int) -> str:
    if not run:
        return "**not run**"
    return f"**{failed} of {run} failed**" if failed else f"passed ({run})"


def _figure(suite: Suite, path: str, name: str) -> int:
    return int(suite.get(path, {}).get("figures", {}).get(name, 0))


def schemathesis_cases(suite: Suite) -> dict[str, int]:
    """Return the cases schemathesis tried per operation (``schemathesis_cases`` figures)."""
    figures = suite.get("tests/api/test_schema.py", {}).get("figures", {})
    found = {}
    for name, value in figures.items():
        if name.startswith("schemathesis_cases "):
            operation = name.partition("[")[2].removesuffix("]") or name
            found[operation] = int(value)
    return found


def bad_input(suite: Suite, command: str) -> str:
    """Return the "Bad input tried" section."""
    properties = [
        ("tests/reliability/test_domain_properties.py", ("sequences", "round-trip", "fold")),
        ("tests/reliability/test_ledger_properties.py", ("tamper",)),
    ]
    rows = []
    for path, names in properties:
        run, failed = _cases(suite, path, "")
        for line in budget.describe(*names):
            rows.append([line, _verdict(run, failed), f"`{path}`"])
    tried = schemathesis_cases(suite)
    run, failed = _cases(suite, "tests/api/test_schema.py", "test_every_answer")
    _, _, per_operation = budget.BUDGETS["schemathesis"]
    rows.append(
        [
            f"the API fuzzed by schemathesis (fresh random cases, {per_operation:,} examples "
            f"per operation plus its coverage cases): **{sum(tried.values()):,} cases** over "
            f"{len(tried)} operations; goal zero 5xx and zero schema violations",
            _verdict(run, failed),
            "`tests/api/test_schema.py`",
        ]
    )
    for path, what, prefix, holds in BROKEN_FILES:
        run, failed = _cases(suite, path, prefix)
        rows.append([f"{what}: {run} cases, {holds}", _verdict(run, failed), f"`{path}`"])
    per_op = "\n".join(f"- `{op}`: {count:,}" for op, count in sorted(tried.items()))
    return f"""## Bad input tried

Every figure is from this run of `{command}` (`HYPOTHESIS_PROFILE=reliability`; `make test`
runs the same tests with the small budgets in brackets, schemathesis derandomized).

{table(["what is tried", "result", "test"], rows)}

Schemathesis cases per operation (as DeepSeek's partner token, through the WSGI
application; each answer checked for status, content type, headers and body against the
schema, and every operation also probed without a token and with a made-up one):

{per_op or "- (no figures recorded)"}
"""


def security(suite: Suite, command: str) -> str:
    """Return the "Security" section."""
    rows = []
    for claim, tests in SECURITY:
        shown, run, failed = [], 0, 0
        for path, name in tests:
            r, f = _cases(suite, path, re.escape(name) if name else "")
            run, failed = run + r, failed + f
            shown.append(f"`{path}`" + (f" `{name}…`" if name else ""))
        rows.append([claim, "<br>".join(shown), _verdict(run, failed)])
    fuzz = "tests/reliability/test_isolation_fuzz.py"
    requests = _figure(suite, fuzz, "isolation_requests")
    twins = _figure(suite, fuzz, "isolation_twins")
    refused = _figure(suite, fuzz, "isolation_refused")
    return f"""## Security

Each claim of issue 10, the tests that prove it and their result in this run of
`{command}`.

{table(["claim", "tests", "result"], rows)}

The isolation fuzz ({budget.describe("isolation")[0]}) sent **{requests:,} requests**
as DeepSeek, {refused:,} of them refused, and {twins:,} twin requests: each request that
carried another partner's value (a project code, a title, Unitree's idempotency key, a
token with Unitree's token id) was sent again with that value replaced by a fresh one of
the same shape, and both answers were the same.
"""


def main() -> int:
    """Print both sections from a junit XML file."""
    from reliability.junit import COMMAND, read_junit

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("junit", type=Path)
    suite = read_junit(parser.parse_args().junit)
    print(bad_input(suite, COMMAND))
    print(security(suite, COMMAND))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
