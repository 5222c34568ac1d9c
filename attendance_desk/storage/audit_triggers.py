"""SQLite triggers that write the audit log for every change to marks, settings and the policy,
and for every import, whichever connection makes the change.

Why triggers for marks, and which ones: a register import writes up to ~570,000 marks. A
trigger row per *new* mark would double the work of a first import and fill the log with
copies of the register, so new MIS marks are recorded once, as the import's own audit row
(file, hash, counts), together with the `mark_changes` history the import writes. What is
recorded mark by mark is what an auditor asks about: a mark whose code or source changed (by a
later import or by hand), a mark deleted, and a mark entered in the office. The `WHEN` clauses
keep the cost on an unchanged row to one comparison (measured: ~0.4 s on 570,000 upserts).

The triggers are named with a version; `install_audit_triggers` is idempotent and runs at every
writable open, so a later migration that rebuilds a table (Alembic batch mode drops its
triggers) gets them back.
"""

from __future__ import annotations

from collections.abc import Callable

_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
_WHO = "coalesce((SELECT who FROM audit_session WHERE id = 1), '')"
_COLS = "at, who, action, entity, entity_id, pupil_id, field, old_json, new_json"


def _mark_id(row: str) -> str:
    return f"{row}.pupil_id || ' ' || {row}.date || ' ' || {row}.session"


def _mark_json(row: str) -> str:
    return f"json_object('code', {row}.code, 'source', {row}.source, 'import_id', {row}.import_id)"


def _mark_action(row: str, default: str) -> str:
    return f"CASE WHEN {row}.source = 'mis' AND {row}.import_id IS NOT NULL THEN 'import' ELSE '{default}' END"


def _setting_value(row: str) -> str:
    # the password hash is never copied into the log: only the fact of a change
    return (
        f"CASE WHEN {row}.key LIKE 'access.password%' THEN json_quote('(hidden)') "
        f"ELSE {row}.value_json END"
    )


_IMPORT_JSON = (
    "json_object('file_name', NEW.file_name, 'kind', NEW.kind, 'layout', NEW.layout, "
    "'content_hash', NEW.content_hash, 'pupils_added', NEW.pupils_added, "
    "'pupils_changed', NEW.pupils_changed, 'marks_added', NEW.marks_added, "
    "'marks_changed', NEW.marks_changed, 'rows_skipped', NEW.rows_skipped)"
)

# Writes nothing for a mark from the MIS: an import's bulk inserts run without it
# (importers/mis_audit.py)
MARKS_INSERT_TRIGGER = "audit_marks_insert_v1"

TRIGGERS: dict[str, str] = {
    MARKS_INSERT_TRIGGER: f"""
        AFTER INSERT ON marks WHEN NEW.source <> 'mis'
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'insert', 'mark',
            {_mark_id("NEW")}, NEW.pupil_id, 'code', NULL, {_mark_json("NEW")}); END""",
    "audit_marks_update_v1": f"""
        AFTER UPDATE ON marks WHEN OLD.code IS NOT NEW.code OR OLD.source IS NOT NEW.source
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO},
            {_mark_action("NEW", "update")}, 'mark', {_mark_id("NEW")}, NEW.pupil_id, 'code',
            {_mark_json("OLD")}, {_mark_json("NEW")}); END""",
    "audit_marks_delete_v1": f"""
        AFTER DELETE ON marks
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'delete', 'mark',
            {_mark_id("OLD")}, OLD.pupil_id, 'code', {_mark_json("OLD")}, NULL); END""",
    "audit_settings_insert_v1": f"""
        AFTER INSERT ON app_settings
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'insert', 'setting',
            NEW.key, NULL, NEW.key, NULL, {_setting_value("NEW")}); END""",
    "audit_settings_update_v1": f"""
        AFTER UPDATE ON app_settings WHEN OLD.value_json IS NOT NEW.value_json
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'update', 'setting',
            NEW.key, NULL, NEW.key, {_setting_value("OLD")}, {_setting_value("NEW")}); END""",
    "audit_settings_delete_v1": f"""
        AFTER DELETE ON app_settings
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'delete', 'setting',
            OLD.key, NULL, OLD.key, {_setting_value("OLD")}, NULL); END""",
    "audit_policy_insert_v1": f"""
        AFTER INSERT ON policy
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'insert', 'policy',
            NEW.id, NULL, 'settings', NULL,
            json_object('preset', NEW.preset, 'name', NEW.name, 'settings', NEW.settings_json));
        END""",
    "audit_policy_update_v1": f"""
        AFTER UPDATE ON policy WHEN OLD.settings_json IS NOT NEW.settings_json
            OR OLD.preset IS NOT NEW.preset OR OLD.name IS NOT NEW.name
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'update', 'policy',
            NEW.id, NULL, 'settings',
            json_object('preset', OLD.preset, 'name', OLD.name, 'settings', OLD.settings_json),
            json_object('preset', NEW.preset, 'name', NEW.name, 'settings', NEW.settings_json));
        END""",
    "audit_imports_insert_v1": f"""
        AFTER INSERT ON imports
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW},
            coalesce(nullif(NEW.imported_by, ''), {_WHO}), 'import', 'import', NEW.id, NULL,
            NEW.kind, NULL, {_IMPORT_JSON}); END""",
    # An import row is often written first and its counts filled in at the end (same
    # transaction): keep the import's one audit row up to date rather than adding another.
    "audit_imports_update_v1": f"""
        AFTER UPDATE ON imports
        BEGIN UPDATE audit_log SET new_json = {_IMPORT_JSON}
            WHERE entity = 'import' AND action = 'import' AND entity_id = CAST(NEW.id AS TEXT);
        END""",
}


# Casework: every event recorded or edited, every stage move, key person and barriers, tasks
# done. An event covering several pupils of a family gets one row per pupil, so each pupil's
# audit trail (and a subject access export) is complete.
_EVENT_JSON = (
    "json_object('kind', {row}.kind, 'date', {row}.date, 'summary', {row}.summary, "
    "'details', json({row}.details_json), 'revision', {row}.revision)"
)
_EVENT_BY_ID = (
    "(SELECT json_object('kind', e.kind, 'date', e.date, 'summary', e.summary, "
    "'details', json(e.details_json), 'revision', e.revision) "
    "FROM timeline_events e WHERE e.id = NEW.event_id)"
)
_EVENT_WHO = (
    "coalesce((SELECT nullif(e.recorded_by, '') FROM timeline_events e WHERE e.id = NEW.event_id), "
    f"{_WHO})"
)
_CASE_PUPIL = "(SELECT c.pupil_id FROM cases c WHERE c.id = NEW.case_id)"

TRIGGERS.update(
    {
        "audit_event_pupils_insert_v1": f"""
        AFTER INSERT ON event_pupils
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_EVENT_WHO}, 'insert',
            'case_event', NEW.event_id, NEW.pupil_id, 'event', NULL, {_EVENT_BY_ID}); END""",
        "audit_events_update_v1": f"""
        AFTER UPDATE ON timeline_events WHEN OLD.details_json IS NOT NEW.details_json
            OR OLD.date IS NOT NEW.date OR OLD.summary IS NOT NEW.summary
            OR OLD.kind IS NOT NEW.kind
        BEGIN INSERT INTO audit_log ({_COLS}) SELECT {_NOW},
            coalesce(nullif(NEW.recorded_by, ''), {_WHO}), 'update', 'case_event', NEW.id,
            ep.pupil_id, 'event', {_EVENT_JSON.format(row="OLD")},
            {_EVENT_JSON.format(row="NEW")}
            FROM event_pupils ep WHERE ep.event_id = NEW.id; END""",
        "audit_events_delete_v1": f"""
        BEFORE DELETE ON timeline_events
        BEGIN INSERT INTO audit_log ({_COLS}) SELECT {_NOW}, {_WHO}, 'delete', 'case_event',
            OLD.id, ep.pupil_id, 'event', {_EVENT_JSON.format(row="OLD")}, NULL
            FROM event_pupils ep WHERE ep.event_id = OLD.id; END""",
        "audit_stage_changes_insert_v1": f"""
        AFTER INSERT ON stage_changes
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW},
            coalesce(nullif(NEW.decided_by, ''), {_WHO}), 'update', 'case', NEW.case_id,
            {_CASE_PUPIL}, 'stage', json_object('stage', NEW.from_stage),
            json_object('stage', NEW.to_stage, 'date', NEW.date, 'reason', NEW.reason,
                'support_offered', NEW.support_offered,
                'support_not_appropriate', NEW.support_not_appropriate)); END""",
        "audit_cases_update_v1": f"""
        AFTER UPDATE ON cases WHEN OLD.key_person IS NOT NEW.key_person
            OR OLD.barriers IS NOT NEW.barriers OR OLD.closed_on IS NOT NEW.closed_on
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'update', 'case', NEW.id,
            NEW.pupil_id, 'case',
            json_object('key_person', OLD.key_person, 'barriers', OLD.barriers,
                'closed_on', OLD.closed_on),
            json_object('key_person', NEW.key_person, 'barriers', NEW.barriers,
                'closed_on', NEW.closed_on)); END""",
        "audit_tasks_update_v1": f"""
        AFTER UPDATE ON tasks WHEN OLD.done_on IS NOT NEW.done_on
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW},
            coalesce(nullif(NEW.done_by, ''), {_WHO}), 'update', 'task', NEW.id, NEW.pupil_id,
            'done_on', json_object('title', OLD.title, 'done_on', OLD.done_on),
            json_object('title', NEW.title, 'done_on', NEW.done_on)); END""",
    }
)

# A child's identity and safeguarding flags, and how to reach the family: each change is kept
# with its old and new value, whoever made it (an import, the window, the command line).
_PUPIL_FIELDS = (
    "upn",
    "legal_surname",
    "legal_forename",
    "date_of_birth",
    "looked_after",
    "child_protection",
    "child_in_need",
)
_CONTACT_FIELDS = (
    "name",
    "phone_home",
    "phone_mobile",
    "phone_work",
    "email",
    "address_line1",
    "address_line2",
    "address_line3",
    "postcode",
)
for _field in _PUPIL_FIELDS:
    TRIGGERS[f"audit_pupils_{_field}_v1"] = f"""
        AFTER UPDATE OF {_field} ON pupils WHEN OLD.{_field} IS NOT NEW.{_field}
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'update', 'pupil',
            NEW.id, NEW.id, '{_field}', json_quote(OLD.{_field}), json_quote(NEW.{_field}));
        END"""
for _field in _CONTACT_FIELDS:
    TRIGGERS[f"audit_contacts_{_field}_v1"] = f"""
        AFTER UPDATE OF {_field} ON contacts WHEN OLD.{_field} IS NOT NEW.{_field}
        BEGIN INSERT INTO audit_log ({_COLS}) VALUES ({_NOW}, {_WHO}, 'update', 'contact',
            NEW.id, NEW.pupil_id, '{_field}', json_quote(OLD.{_field}),
            json_quote(NEW.{_field})); END"""

_TABLE = {name: body.split(" ON ", 1)[1].split()[0] for name, body in TRIGGERS.items()}


def install_audit_triggers(execute: Callable[[str], object], tables: set[str]) -> None:
    """Create any missing audit trigger (on tables that exist). `execute` runs one statement."""
    for name, body in TRIGGERS.items():
        if _TABLE[name] in tables:
            execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def trigger_names() -> list[str]:
    return list(TRIGGERS)
