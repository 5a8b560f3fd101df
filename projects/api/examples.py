"""Examples of every success answer, for the OpenAPI description (``projects.api.openapi``).

Taken from real answers of the test registry (tests/api/world.py), with names in three
languages; a test validates each against its operation's response schema.
"""

from __future__ import annotations

from typing import Any

_WEBHOOK: dict[str, Any] = {
    "id": "3f9c2a7b1d0e4c55",
    "url": "https://erp.example.org/registry-events",
    "description": "ERP sync",
    "created": "2025-09-01T09:30:00+08:00",
    "changed": "2025-09-01T09:30:00+08:00",
    "enabled": True,
    "disabled_reason": None,
}

EXAMPLES: dict[str, Any] = {
    "organisations_list": [
        {
            "id": "deepseek",
            "name": {"en": "DeepSeek", "zh-Hant": "深度求索", "zh-Hans": "深度求索"},
            "org_type": 70,
            "jurisdiction": "CN-ZJ",
            "identifiers": [],
            "version": 1,
        },
        {
            "id": "hk-gov",
            "name": {
                "en": "Government of the HKSAR",
                "zh-Hant": "香港特別行政區政府",
                "zh-Hans": "香港特别行政区政府",
            },
            "org_type": 10,
            "jurisdiction": "HK",
            "identifiers": [{"scheme": "HK-GOV", "id": "HK-GOV"}],
            "version": 1,
        },
    ],
    "organisation_read": {
        "id": "deepseek",
        "name": {"en": "DeepSeek", "zh-Hant": "深度求索", "zh-Hans": "深度求索"},
        "org_type": 70,
        "jurisdiction": "CN-ZJ",
        "identifiers": [],
        "version": 1,
    },
    "agreements_list": [
        {
            "code": "HKZJ-2025-MECH",
            "title": {
                "en": "Agreement HKZJ-2025-MECH",
                "zh-Hant": "Agreement HKZJ-2025-MECH",
                "zh-Hans": "Agreement HKZJ-2025-MECH",
            },
            "signed_on": "2025-04-17",
            "signed_place": {"en": "Hangzhou", "zh-Hant": "Hangzhou", "zh-Hans": "Hangzhou"},
            "signatories": [
                {
                    "organisation_id": "hk-gov",
                    "person": {
                        "en": "Signatory for Hong Kong",
                        "zh_hant": "Signatory for Hong Kong",
                        "zh_hans": "Signatory for Hong Kong",
                    },
                    "title": {
                        "en": "Chief Executive",
                        "zh_hant": "Chief Executive",
                        "zh_hans": "Chief Executive",
                    },
                },
                {
                    "organisation_id": "zj-gov",
                    "person": {
                        "en": "Signatory for Zhejiang",
                        "zh_hant": "Signatory for Zhejiang",
                        "zh_hans": "Signatory for Zhejiang",
                    },
                    "title": {"en": "Governor", "zh_hant": "Governor", "zh_hans": "Governor"},
                },
            ],
            "period_start": "2025-04-17",
            "period_end": "2030-04-16",
            "sectors": ["artificial_intelligence", "trade", "robotics"],
            "in_force": True,
            "terminated_on": None,
            "amendment_count": 0,
            "version": 1,
        }
    ],
    "agreement_read": {
        "code": "HKZJ-2025-MECH",
        "title": {
            "en": "Agreement HKZJ-2025-MECH",
            "zh-Hant": "Agreement HKZJ-2025-MECH",
            "zh-Hans": "Agreement HKZJ-2025-MECH",
        },
        "signed_on": "2025-04-17",
        "signed_place": {"en": "Hangzhou", "zh-Hant": "Hangzhou", "zh-Hans": "Hangzhou"},
        "signatories": [
            {
                "organisation_id": "hk-gov",
                "person": {
                    "en": "Signatory for Hong Kong",
                    "zh_hant": "Signatory for Hong Kong",
                    "zh_hans": "Signatory for Hong Kong",
                },
                "title": {
                    "en": "Chief Executive",
                    "zh_hant": "Chief Executive",
                    "zh_hans": "Chief Executive",
                },
            },
            {
                "organisation_id": "zj-gov",
                "person": {
                    "en": "Signatory for Zhejiang",
                    "zh_hant": "Signatory for Zhejiang",
                    "zh_hans": "Signatory for Zhejiang",
                },
                "title": {"en": "Governor", "zh_hant": "Governor", "zh_hans": "Governor"},
            },
        ],
        "period_start": "2025-04-17",
        "period_end": "2030-04-16",
        "sectors": ["artificial_intelligence", "trade", "robotics"],
        "in_force": True,
        "terminated_on": None,
        "amendment_count": 0,
        "version": 1,
    },
    "sectors_list": [
        {
            "code": "technological_innovation",
            "dac_code": 32182,
            "name": {
                "en": "Technological innovation",
                "zh-Hant": "科技創新",
                "zh-Hans": "科技创新",
            },
        },
        {
            "code": "trade",
            "dac_code": 33110,
            "name": {"en": "Trade", "zh-Hant": "貿易", "zh-Hans": "贸易"},
        },
    ],
    "projects_list": {
        "next": "https://registry.example/api/v1/projects/?limit=1&offset=1",
        "previous": None,
        "results": [
            {
                "code": "HKZJ-2025-AI-01",
                "agreement": "HKZJ-2025-MECH",
                "sector": "artificial_intelligence",
                "dac_code": 22040,
                "title": {
                    "en": "Large language models for cross-border services",
                    "zh-Hant": "跨境服務大語言模型",
                    "zh-Hans": "跨境服务大语言模型",
                },
                "status": "pipeline",
                "planned_start": "2025-05-01",
                "planned_end": "2026-12-31",
                "actual_start": None,
                "actual_end": None,
                "budget": None,
                "parties": [
                    {"organisation": "hk-itib", "roles": ["lead", "funding"]},
                    {"organisation": "deepseek", "roles": ["implementing"]},
                ],
                "version": 4,
                "milestones": {"total": 1, "open": 1, "overdue": 1, "next_due_date": "2025-08-31"},
                "updated_at": "2025-09-12T02:00:00.120000Z",
            }
        ],
    },
    "project_read": {
        "code": "HKZJ-2025-AI-01",
        "agreement": "HKZJ-2025-MECH",
        "sector": "artificial_intelligence",
        "dac_code": 22040,
        "title": {
            "en": "Large language models for cross-border services",
            "zh-Hant": "跨境服務大語言模型",
            "zh-Hans": "跨境服务大语言模型",
        },
        "status": "pipeline",
        "planned_start": "2025-05-01",
        "planned_end": "2026-12-31",
        "actual_start": None,
        "actual_end": None,
        "budget": None,
        "parties": [
            {"organisation": "hk-itib", "roles": ["lead", "funding"]},
            {"organisation": "deepseek", "roles": ["implementing"]},
        ],
        "version": 4,
        "description": {
            "en": "Shared models for public services on both sides.",
            "zh-Hant": "兩地公共服務共用的模型。",
            "zh-Hans": "两地公共服务共用的模型。",
        },
        "status_since": None,
        "milestones": [
            {
                "id": "M1",
                "title": {
                    "en": "AI pilot application deployed",
                    "zh-Hant": "人工智能試點應用上線",
                    "zh-Hans": "人工智能试点应用上线",
                },
                "type": "delivery",
                "status": "scheduled",
                "due_date": "2025-08-31",
                "original_due_date": "2025-08-31",
                "days_overdue": 12,
                "reschedule_count": 0,
                "days_slipped": 0,
                "responsible": "deepseek",
                "date_met": None,
                "pending_claim": None,
            }
        ],
        "as_of": None,
    },
    "project_history": {
        "next": "https://registry.example/api/v1/projects/HKZJ-2025-AI-01/events/?limit=1&after=7",
        "results": [
            {
                "position": 7,
                "version": 1,
                "type": "ProjectRegistered",
                "data": {
                    "project_code": "HKZJ-2025-AI-01",
                    "agreement_code": "HKZJ-2025-MECH",
                    "titles": {
                        "en": "Large language models for cross-border services",
                        "zh_hant": "跨境服務大語言模型",
                        "zh_hans": "跨境服务大语言模型",
                    },
                    "descriptions": {
                        "en": "Shared models for public services on both sides.",
                        "zh_hant": "兩地公共服務共用的模型。",
                        "zh_hans": "两地公共服务共用的模型。",
                    },
                    "sector": "artificial_intelligence",
                    "planned_start": "2025-05-01",
                    "planned_end": "2026-12-31",
                },
                "occurred_at": "2025-04-18T02:00:00Z",
                "recorded_at": "2025-04-18T02:00:00.120000Z",
                "actor": {"kind": "staff", "organisation": None},
                "source": "admin",
                "reason": None,
                "hash": "849fd56acaae5f15127625ca0b7fd86241353dcc1da27f5ec9015c54e58466e3",
            }
        ],
    },
    "events_feed": {
        "next": "https://registry.example/api/v1/events/?after=7&limit=1",
        "results": [
            {
                "position": 7,
                "version": 1,
                "type": "ProjectRegistered",
                "data": {
                    "project_code": "HKZJ-2025-AI-01",
                    "agreement_code": "HKZJ-2025-MECH",
                    "titles": {
                        "en": "Large language models for cross-border services",
                        "zh_hant": "跨境服務大語言模型",
                        "zh_hans": "跨境服务大语言模型",
                    },
                    "descriptions": {
                        "en": "Shared models for public services on both sides.",
                        "zh_hant": "兩地公共服務共用的模型。",
                        "zh_hans": "两地公共服务共用的模型。",
                    },
                    "sector": "artificial_intelligence",
                    "planned_start": "2025-05-01",
                    "planned_end": "2026-12-31",
                },
                "occurred_at": "2025-04-18T02:00:00Z",
                "recorded_at": "2025-04-18T02:00:00.120000Z",
                "actor": {"kind": "staff", "organisation": None},
                "source": "admin",
                "reason": None,
                "hash": "849fd56acaae5f15127625ca0b7fd86241353dcc1da27f5ec9015c54e58466e3",
                "project": "HKZJ-2025-AI-01",
            }
        ],
    },
    "ledger_keys": {
        "keys": [
            {
                "key_id": "7d65cfdcee8b7fa6dd7146e6a0701608d9a0c2a1692d4a0b10eb328d255109e2",
                "algorithm": "Ed25519",
                "public_key": "3m8d6vJm0T3Yw1c8rPj6cE2m0a9mZb1U1m1h0z7o1o0=",
                "not_before": "2025-04-01T00:00:00Z",
                "not_after": None,
            }
        ]
    },
    "ledger_head": {
        "tree_size": 22,
        "root_hash": "ecf89e60d07e5e842456350cfbfe553ee4bbe3285b4da776cc0ec58240b727ae",
        "timestamp": "2026-12-07T01:00:00Z",
        "key_id": "7d65cfdcee8b7fa6dd7146e6a0701608d9a0c2a1692d4a0b10eb328d255109e2",
        "signature": (
            "hAWX5stCCxgt4Tmy+YrLgh03TRMtDwQSm2O821UU1nmm0xvlPV6PJ2SmfA3YSstoqQc0HIwvd7KCUgc3qFVcAA=="
        ),
    },
    "ledger_inclusion": {
        "position": 7,
        "tree_size": 22,
        "event_hash": "849fd56acaae5f15127625ca0b7fd86241353dcc1da27f5ec9015c54e58466e3",
        "audit_path": [
            "03e3fbb8455f4d51e3d3a90614edd20276740281d3fbb8f59a7bc43b2e3003a1",
            "9526aad60ea1bea57ee0aa642ca23e330719996852ccf0e01c484a480902796a",
            "30463113fa78624488f2886154914b635c666cffd00e179bd5ed3d453b692186",
            "e2490bfb4e4adc0b4e7fa7cfd58093c8a8444fe378ee0996eb344612380be2dc",
            "d621f74d306f80d00580473dcb13c5e0e332f0f44d5dcc00308da88ceb296df4",
        ],
    },
    "ledger_consistency": {
        "first": 1,
        "second": 22,
        "proof": [
            "365f477a83f44eeeb241318bef46d27283cba501c9131826f0c0df760b3fb194",
            "457b92925f7ce2407920731951f2404a153a24e83874c23706f6d94be857b0ca",
            "a0ef28233fbd81aa536e83d7f47728917eb8e503d65cc9e45836ed619f437965",
            "e2490bfb4e4adc0b4e7fa7cfd58093c8a8444fe378ee0996eb344612380be2dc",
            "d621f74d306f80d00580473dcb13c5e0e332f0f44d5dcc00308da88ceb296df4",
        ],
    },
    "milestone_claim": {
        "project": "HKZJ-2025-AI-01",
        "milestone": "M1",
        "claim": {"outcome": "met", "date": "2025-08-30", "note": "Model delivered"},
        "version": 5,
        "position": 23,
    },
    "webhooks_list": {"results": [_WEBHOOK]},
    "webhooks_create": {**_WEBHOOK, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    "webhooks_read": _WEBHOOK,
    "webhooks_change": {**_WEBHOOK, "description": "ERP sync (production)"},
    "webhooks_test": {"delivered": True, "status": 204, "error": "", "duration_ms": 41},
}

# The two answers that are not JSON: the calendar (RFC 5545) and the verifier's source.
TEXT_EXAMPLES: dict[str, tuple[str, str]] = {
    "milestones_calendar": (
        "text/calendar",
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//Cooperation Registry//Milestones//EN\r\n"
        "CALSCALE:GREGORIAN\r\n"
        "X-WR-CALNAME:Cooperation registry milestones\r\n"
        "X-WR-TIMEZONE:Asia/Hong_Kong\r\n"
        "BEGIN:VEVENT\r\n"
        "SUMMARY:HKZJ-2025-AI-01 M1: AI pilot application deployed\r\n"
        "DTSTART;VALUE=DATE:20250831\r\n"
        "DTEND;VALUE=DATE:20250901\r\n"
        "DTSTAMP:20250418T020000Z\r\n"
        "UID:HKZJ-2025-AI-01/M1@cooperation-registry\r\n"
        "SEQUENCE:0\r\n"
        "STATUS:CONFIRMED\r\n"
        "TRANSP:TRANSPARENT\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n",
    ),
    "ledger_verifier": (
        "text/x-python",
        '"""Check a cooperation registry\'s signed history against its API, stand-alone."""\n...\n',
    ),
}
