"""The audit triggers of storage/audit_triggers.py, for a database on a PostgreSQL server.

The same rows as SQLite's triggers write (same actions, entities, ids, fields; the JSON values
hold the same keys and values), from PL/pgSQL row triggers with the same WHEN clauses, so an
import of new MIS marks costs one comparison per row here too. Who made the change is the
connection's `attendance_desk.who` setting (set by storage/postgres.py for the person at that
PC), else the one-row `audit_session`, as on SQLite. Booleans are logged as 0/1, as SQLite
stores them.

`install_pg_audit_triggers` is idempotent (CREATE OR REPLACE) and runs at every writable open.
"""

from __future__ import annotations

from collections.abc import Callable

from attendance_desk.storage.audit_triggers import _CONTACT_FIELDS, _PUPIL_FIELDS, trigger_names
from attendance_desk.storage.pg_connection import WRITE_LOCK_KEY

_NOW = "(clock_timestamp() AT TIME ZONE 'UTC')"
_WHO = (
    "coalesce(nullif(current_setting('attendance_desk.who', true), ''), "
    "(SELECT who FROM audit_session WHERE id = 1), '')"
)
_COLS = "at, who, action, entity, entity_id, pupil_id, field, old_json, new_json"
_BOOLEAN_FIELDS = {"looked_after", "child_protection", "child_in_need"}


def _mark_id(row: str) -> str:
    return f"{row}.pupil_id || ' ' || to_char({row}.date, 'YYYY-MM-DD') || ' ' || {row}.session"


def _mark_json(row: str) -> str:
    return (
        f"json_build_object('code', {row}.code, 'source', {row}.source, "
        f"'import_id', {row}.import_id)::text"
    )


def _mark_action(row: str, default: str) -> str:
    return (
        f"CASE WHEN {row}.source = 'mis' AND {row}.import_id IS NOT NULL THEN 'import' "
        f"ELSE '{default}' END"
    )


def _setting_value(row: str) -> str:
    return (
        f"CASE WHEN {row}.key LIKE 'access.password%' THEN '\"(hidden)\"' ELSE {row}.value_json END"
    )


_IMPORT_JSON = (
    "json_build_object('file_name', NEW.file_name, 'kind', NEW.kind, 'layout', NEW.layout, "
    "'content_hash', NEW.content_hash, 'pupils_added', NEW.pupils_added, "
    "'pupils_changed', NEW.pupils_changed, 'marks_added', NEW.marks_added, "
    "'marks_changed', NEW.marks_changed, 'rows_skipped', NEW.rows_skipped)::text"
)
_EVENT_JSON = (
    "json_build_object('kind', {row}.kind, 'date', {row}.date, 'summary', {row}.summary, "
    "'details', ({row}.details_json)::json, 'revision', {row}.revision)::text"
)
_EVENT_BY_ID = (
    "(SELECT json_build_object('kind', e.kind, 'date', e.date, 'summary', e.summary, "
    "'details', (e.details_json)::json, 'revision', e.revision)::text "
    "FROM timeline_events e WHERE e.id = NEW.event_id)"
)
_EVENT_WHO = (
    "coalesce((SELECT nullif(e.recorded_by, '') FROM timeline_events e "
    f"WHERE e.id = NEW.event_id), {_WHO})"
)
_CASE_PUPIL = "(SELECT c.pupil_id FROM cases c WHERE c.id = NEW.case_id)"


def _values(*values: str) -> str:
    return f"INSERT INTO audit_log ({_COLS}) VALUES ({', '.join(values)})"


def _diff(*fields: str) -> str:
    return " OR ".join(f"OLD.{f} IS DISTINCT FROM NEW.{f}" for f in fields)


# name -> (timing and event, table, WHEN condition or "", body: the statement(s) to run)
TRIGGERS: dict[str, tuple[str, str, str, str]] = {
    "audit_marks_insert_v1": (
        "AFTER INSERT",
        "marks",
        "NEW.source <> 'mis'",
        _values(
            _NOW,
            _WHO,
            "'insert'",
            "'mark'",
            _mark_id("NEW"),
            "NEW.pupil_id",
            "'code'",
            "NULL",
            _mark_json("NEW"),
        ),
    ),
    "audit_marks_update_v1": (
        "AFTER UPDATE",
        "marks",
        _diff("code", "source"),
        _values(
            _NOW,
            _WHO,
            _mark_action("NEW", "update"),
            "'mark'",
            _mark_id("NEW"),
            "NEW.pupil_id",
            "'code'",
            _mark_json("OLD"),
            _mark_json("NEW"),
        ),
    ),
    "audit_marks_delete_v1": (
        "AFTER DELETE",
        "marks",
        "",
        _values(
            _NOW,
            _WHO,
            "'delete'",
            "'mark'",
            _mark_id("OLD"),
            "OLD.pupil_id",
            "'code'",
            _mark_json("OLD"),
            "NULL",
        ),
    ),
    "audit_settings_insert_v1": (
        "AFTER INSERT",
        "app_settings",
        "",
        _values(
            _NOW,
            _WHO,
            "'insert'",
            "'setting'",
            "NEW.key",
            "NULL",
            "NEW.key",
            "NULL",
            _setting_value("NEW"),
        ),
    ),
    "audit_settings_update_v1": (
        "AFTER UPDATE",
        "app_settings",
        _diff("value_json"),
        _values(
            _NOW,
            _WHO,
            "'update'",
            "'setting'",
            "NEW.key",
            "NULL",
            "NEW.key",
            _setting_value("OLD"),
            _setting_value("NEW"),
        ),
    ),
    "audit_settings_delete_v1": (
        "AFTER DELETE",
        "app_settings",
        "",
        _values(
            _NOW,
            _WHO,
            "'delete'",
            "'setting'",
            "OLD.key",
            "NULL",
            "OLD.key",
            _setting_value("OLD"),
            "NULL",
        ),
    ),
    "audit_policy_insert_v1": (
        "AFTER INSERT",
        "policy",
        "",
        _values(
            _NOW,
            _WHO,
            "'insert'",
            "'policy'",
            "NEW.id",
            "NULL",
            "'settings'",
            "NULL",
            "json_build_object('preset', NEW.preset, 'name', NEW.name, "
            "'settings', NEW.settings_json)::text",
        ),
    ),
    "audit_policy_update_v1": (
        "AFTER UPDATE",
        "policy",
        _diff("settings_json", "preset", "name"),
        _values(
            _NOW,
            _WHO,
            "'update'",
            "'policy'",
            "NEW.id",
            "NULL",
            "'settings'",
            "json_build_object('preset', OLD.preset, 'name', OLD.name, "
            "'settings', OLD.settings_json)::text",
            "json_build_object('preset', NEW.preset, 'name', NEW.name, "
            "'settings', NEW.settings_json)::text",
        ),
    ),
    "audit_imports_insert_v1": (
        "AFTER INSERT",
        "imports",
        "",
        _values(
            _NOW,
            f"coalesce(nullif(NEW.imported_by, ''), {_WHO})",
            "'import'",
            "'import'",
            "NEW.id",
            "NULL",
            "NEW.kind",
            "NULL",
            _IMPORT_JSON,
        ),
    ),
    "audit_imports_update_v1": (
        "AFTER UPDATE",
        "imports",
        "",
        f"UPDATE audit_log SET new_json = {_IMPORT_JSON} WHERE entity = 'import' "
        "AND action = 'import' AND entity_id = CAST(NEW.id AS TEXT)",
    ),
    "audit_event_pupils_insert_v1": (
        "AFTER INSERT",
        "event_pupils",
        "",
        _values(
            _NOW,
            _EVENT_WHO,
            "'insert'",
            "'case_event'",
            "NEW.event_id",
            "NEW.pupil_id",
            "'event'",
            "NULL",
            _EVENT_BY_ID,
        ),
    ),
    "audit_events_update_v1": (
        "AFTER UPDATE",
        "timeline_events",
        _diff("details_json", "date", "summary", "kind"),
        f"INSERT INTO audit_log ({_COLS}) SELECT {_NOW}, "
        f"coalesce(nullif(NEW.recorded_by, ''), {_WHO}), 'update', 'case_event', NEW.id, "
        f"ep.pupil_id, 'event', {_EVENT_JSON.format(row='OLD')}, "
        f"{_EVENT_JSON.format(row='NEW')} FROM event_pupils ep WHERE ep.event_id = NEW.id",
    ),
    "audit_events_delete_v1": (
        "BEFORE DELETE",
        "timeline_events",
        "",
        f"INSERT INTO audit_log ({_COLS}) SELECT {_NOW}, {_WHO}, 'delete', 'case_event', "
        f"OLD.id, ep.pupil_id, 'event', {_EVENT_JSON.format(row='OLD')}, NULL "
        "FROM event_pupils ep WHERE ep.event_id = OLD.id",
    ),
    "audit_stage_changes_insert_v1": (
        "AFTER INSERT",
        "stage_changes",
        "",
        _values(
            _NOW,
            f"coalesce(nullif(NEW.decided_by, ''), {_WHO})",
            "'update'",
            "'case'",
            "NEW.case_id",
            _CASE_PUPIL,
            "'stage'",
            "json_build_object('stage', NEW.from_stage)::text",
            "json_build_object('stage', NEW.to_stage, 'date', NEW.date, 'reason', NEW.reason, "
            "'support_offered', NEW.support_offered, "
            "'support_not_appropriate', NEW.support_not_appropriate)::text",
        ),
    ),
    "audit_cases_update_v1": (
        "AFTER UPDATE",
        "cases",
        _diff("key_person", "barriers", "closed_on"),
        _values(
            _NOW,
            _WHO,
            "'update'",
            "'case'",
            "NEW.id",
            "NEW.pupil_id",
            "'case'",
            "json_build_object('key_person', OLD.key_person, 'barriers', OLD.barriers, "
            "'closed_on', OLD.closed_on)::text",
            "json_build_object('key_person', NEW.key_person, 'barriers', NEW.barriers, "
            "'closed_on', NEW.closed_on)::text",
        ),
    ),
    "audit_tasks_update_v1": (
        "AFTER UPDATE",
        "tasks",
        _diff("done_on"),
        _values(
            _NOW,
            f"coalesce(nullif(NEW.done_by, ''), {_WHO})",
            "'update'",
            "'task'",
            "NEW.id",
            "NEW.pupil_id",
            "'done_on'",
            "json_build_object('title', OLD.title, 'done_on', OLD.done_on)::text",
            "json_build_object('title', NEW.title, 'done_on', NEW.done_on)::text",
        ),
    ),
}


def _json_value(row: str, field: str) -> str:
    value = f"{row}.{field}::int" if field in _BOOLEAN_FIELDS else f"{row}.{field}"
    return f"to_json({value})::text"


for _field in _PUPIL_FIELDS:
    TRIGGERS[f"audit_pupils_{_field}_v1"] = (
        f"AFTER UPDATE OF {_field}",
        "pupils",
        _diff(_field),
        _values(
            _NOW,
            _WHO,
            "'update'",
            "'pupil'",
            "NEW.id",
            "NEW.id",
            f"'{_field}'",
            _json_value("OLD", _field),
            _json_value("NEW", _field),
        ),
    )
for _field in _CONTACT_FIELDS:
    TRIGGERS[f"audit_contacts_{_field}_v1"] = (
        f"AFTER UPDATE OF {_field}",
        "contacts",
        _diff(_field),
        _values(
            _NOW,
            _WHO,
            "'update'",
            "'contact'",
            "NEW.id",
            "NEW.pupil_id",
            f"'{_field}'",
            _json_value("OLD", _field),
            _json_value("NEW", _field),
        ),
    )

assert set(TRIGGERS) == set(trigger_names()), "the PostgreSQL triggers mirror SQLite's"


def trigger_sql(name: str) -> list[str]:
    """The statements that create (or replace) one trigger and its function."""
    timing, table, when, body = TRIGGERS[name]
    result = "OLD" if timing.startswith("BEFORE DELETE") else "NULL"
    condition = f" WHEN ({when})" if when else ""
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ "
        f"BEGIN {body}; RETURN {result}; END $body$",
        f"CREATE OR REPLACE TRIGGER {name} {timing} ON {table} FOR EACH ROW{condition} "
        f"EXECUTE FUNCTION {name}()",
    ]


# Several PCs write the log at once: an audit row's id is taken only once its transaction holds
# the advisory lock that stands for SQLite's write lock (held to the commit), so ids are given
# in the order the rows are committed, and the chain (sealed in id order) never meets a row
# committed later below one it has sealed.
ORDER_TRIGGER = "audit_log_order_v1"
_ORDER_SQL = [
    f"CREATE OR REPLACE FUNCTION {ORDER_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $body$ "
    f"BEGIN PERFORM pg_advisory_xact_lock({WRITE_LOCK_KEY}); "
    "NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id')); RETURN NEW; END $body$",
    f"CREATE OR REPLACE TRIGGER {ORDER_TRIGGER} BEFORE INSERT ON audit_log FOR EACH ROW "
    f"EXECUTE FUNCTION {ORDER_TRIGGER}()",
]


# Seals every audit row written since the last sealed one, whichever school's, in id order, as
# storage/audit_chain.py's `seal_chain` does (the same digests: each value as text, in a JSON
# list as Python's json.dumps writes it, sha256; the same links), for a trust's member of staff
# whom row-level security keeps from reading other schools' rows: it runs as the tables' owner
# and gives back only how many rows it sealed, never their content. Under the one write lock.
SEAL_FUNCTION = "attendance_desk_seal_audit_v1"
_TEXT = "coalesce(to_json(CAST({} AS text))::text, 'null')"
_DIGEST = (
    "encode(sha256(convert_to('[' || concat_ws(', ', "
    + ", ".join(
        _TEXT.format(column)
        for column in (
            "r.id",
            "to_char(r.at, 'YYYY-MM-DD HH24:MI:SS.US')",
            "r.who",
            "r.action",
            "r.entity",
            "r.entity_id",
            "r.pupil_id",
            "r.field",
            "r.old_json",
            "r.new_json",
        )
    )
    + ") || ']', 'UTF8')), 'hex')"
)
_SEAL_SQL = (
    f"CREATE OR REPLACE FUNCTION {SEAL_FUNCTION}() RETURNS integer LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = pg_catalog, public AS $body$ "
    "DECLARE r record; previous text; last_id integer; made text; sealed integer := 0; "
    f"BEGIN PERFORM pg_advisory_xact_lock({WRITE_LOCK_KEY}); "
    "SELECT a.id, a.chain INTO last_id, previous FROM audit_log a WHERE a.chain IS NOT NULL "
    "ORDER BY a.id DESC LIMIT 1; "
    "last_id := coalesce(last_id, 0); previous := coalesce(previous, repeat('0', 64)); "
    "FOR r IN SELECT * FROM audit_log a WHERE a.id > last_id ORDER BY a.id LOOP "
    f"made := {_DIGEST}; "
    "previous := encode(sha256(convert_to(previous || made, 'UTF8')), 'hex'); "
    "UPDATE audit_log SET digest = made, chain = previous WHERE id = r.id AND chain IS NULL; "
    "sealed := sealed + 1; "
    "END LOOP; RETURN sealed; END $body$"
)


def install_pg_audit_triggers(execute: Callable[[str], object], tables: set[str]) -> None:
    """Create or replace every audit trigger on the tables that exist."""
    for name, (_timing, table, _when, _body) in TRIGGERS.items():
        if table in tables:
            for statement in trigger_sql(name):
                execute(statement)
    if "audit_log" in tables:
        for statement in _ORDER_SQL:
            execute(statement)
        execute(_SEAL_SQL)


def pg_trigger_names() -> list[str]:
    return [*TRIGGERS, ORDER_TRIGGER]


def drop_pg_audit_triggers(execute: Callable[[str], object]) -> None:
    execute(f"DROP FUNCTION IF EXISTS {SEAL_FUNCTION}()")
    execute(f"DROP TRIGGER IF EXISTS {ORDER_TRIGGER} ON audit_log")
    execute(f"DROP FUNCTION IF EXISTS {ORDER_TRIGGER}()")
    for name, (_timing, table, _when, _body) in TRIGGERS.items():
        execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        execute(f"DROP FUNCTION IF EXISTS {name}()")
