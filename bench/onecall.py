"""An experiment: the whole append as one PL/pgSQL call, the hash chain computed in SQL.

``registry.store.append`` takes two round trips on PostgreSQL (``registry_begin_append``,
then one statement writing the events, the head and the key) because the SHA-256 chain
is computed in Python, over the canonical JSON of ``registry.ledger``. Computing it in
the database instead lets one call lock the head, check the version, hash, insert and
move the head. This module installs such a function in the benchmark's database only,
to measure what that saves; ``check`` then recomputes the chain in Python, so a hash
that SQL made differently from Python would show.

Not used by the registry: the canonical form would then have two implementations that
must agree byte for byte (sorted keys by code point, the same escapes, timestamps in UTC
with microseconds), and an append with inline projectors needs a transaction anyway.
"""

from __future__ import annotations

from typing import Any

INSTALL = r"""
CREATE OR REPLACE FUNCTION bench_canonical(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT CASE jsonb_typeof(j)
    WHEN 'object' THEN '{' || COALESCE((
        SELECT string_agg(to_jsonb(k)::text || ':' || bench_canonical(v), ','
                          ORDER BY k COLLATE "C")
        FROM jsonb_each(j) AS e(k, v)), '') || '}'
    WHEN 'array' THEN '[' || COALESCE((
        SELECT string_agg(bench_canonical(v), ',' ORDER BY n)
        FROM jsonb_array_elements(j) WITH ORDINALITY AS a(v, n)), '') || ']'
    ELSE j::text
END
$$;

CREATE OR REPLACE FUNCTION bench_instant(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT to_jsonb(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00')::text
$$;

CREATE OR REPLACE FUNCTION bench_append_one(
    p_stream_type varchar, p_stream_id varchar, p_expected integer, p_event_type varchar,
    p_schema integer, p_data jsonb, p_metadata jsonb
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    head_position bigint; head_hash varchar; head_recorded timestamptz;
    current integer; recorded timestamptz; doc text; new_hash varchar;
BEGIN
    SELECT h.position, h.hash, h.recorded_at INTO head_position, head_hash, head_recorded
        FROM registry_ledger_head h WHERE h.id = 1 FOR UPDATE;
    SELECT e.version INTO current FROM registry_event e
        WHERE e.stream_type = p_stream_type AND e.stream_id = p_stream_id
        ORDER BY e.version DESC LIMIT 1;
    current := coalesce(current, 0);
    IF current <> p_expected THEN
        RAISE EXCEPTION 'stream is at version %, not %', current, p_expected;
    END IF;
    recorded := greatest(clock_timestamp(), head_recorded);
    doc := '{"data":' || bench_canonical(p_data)
        || ',"event_type":' || to_jsonb(p_event_type)::text
        || ',"metadata":' || bench_canonical(p_metadata)
        || ',"occurred_at":' || bench_instant(recorded)
        || ',"position":' || (head_position + 1)
        || ',"prev_hash":' || to_jsonb(head_hash)::text
        || ',"recorded_at":' || bench_instant(recorded)
        || ',"schema_version":' || p_schema
        || ',"stream_id":' || to_jsonb(p_stream_id)::text
        || ',"stream_type":' || to_jsonb(p_stream_type)::text
        || ',"version":' || (current + 1) || '}';
    new_hash := encode(sha256(convert_to(doc, 'UTF8')), 'hex');
    INSERT INTO registry_event (position, stream_type, stream_id, version, event_type,
        schema_version, data, metadata, occurred_at, recorded_at, prev_hash, hash)
    VALUES (head_position + 1, p_stream_type, p_stream_id, current + 1, p_event_type,
        p_schema, p_data, p_metadata, recorded, recorded, head_hash, new_hash);
    UPDATE registry_ledger_head SET position = head_position + 1, hash = new_hash,
        recorded_at = recorded WHERE id = 1;
    RETURN head_position + 1;
END;
$$;
"""


def install() -> None:
    """Install the experiment's functions in the benchmark database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(INSTALL)


def append_one(stream_type: str, stream_id: str, expected: int, event: Any, metadata: Any) -> int:
    """Append one event in one call, outside any transaction (it is one by itself)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bench_append_one(%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)",
            [
                stream_type,
                stream_id,
                expected,
                event.event_type,
                event.schema_version,
                _json(event.to_data()),
                _json(metadata.to_json()),
            ],
        )
        return cursor.fetchone()[0]


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def check() -> bool:
    """Return whether the whole chain, the one-call appends included, verifies in Python."""
    from registry import store
    from registry.ledger import find_break

    return find_break(store.read_all_rows()) is None
