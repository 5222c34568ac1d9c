"""The trust dashboard: each school's figures side by side, and the trust's, beside the national
figures (domain/national.py).

One database may hold several schools (a trust on PostgreSQL; a SQLite file holds one). Each
school's year-to-date attendance, persistent and severe absence and open cases by stage are
read with one grouped query over every school the connection may see (row-level security on
PostgreSQL decides which); open concerns by rule come from each school's monitoring engine
(its own policy and calendar), worked out only when asked (`concerns=True`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.domain.figures import EMPTY_FIGURES, Figures
from attendance_desk.domain.national import NATIONAL_PRIMARY, NationalFigures
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database

_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class SchoolInfo:
    school_id: int
    name: str
    urn: str = ""


@dataclass(frozen=True)
class SchoolFigures:
    """One school's figures (or the trust's, `school_id` None) from 1 September to the date."""

    school_id: int | None
    name: str
    pupils: int
    figures: Figures
    persistent: int  # pupils with attendance of 90% or below
    severe: int  # pupils with attendance of 50% or below
    cases: Mapping[str, int] = field(default_factory=lambda: _EMPTY)  # open cases by stage
    concerns: Mapping[str, int] | None = None  # open concerns by rule id; None: not worked out

    @property
    def attendance_pct(self) -> float | None:
        return self.figures.attendance_pct

    @property
    def absence_pct(self) -> float | None:
        return self.figures.absence_pct

    @property
    def persistent_pct(self) -> float | None:
        return 100 * self.persistent / self.pupils if self.pupils else None

    @property
    def severe_pct(self) -> float | None:
        return 100 * self.severe / self.pupils if self.pupils else None

    @property
    def open_cases(self) -> int:
        return sum(self.cases.values())


@dataclass(frozen=True)
class TrustDashboard:
    as_of: date
    schools: tuple[SchoolFigures, ...]
    trust: SchoolFigures
    national: NationalFigures = NATIONAL_PRIMARY

    def school(self, school_id: int) -> SchoolFigures:
        return next(s for s in self.schools if s.school_id == school_id)


def is_trust(db: Database) -> bool:
    """Whether the window shows the trust page: the database holds more than one school, or
    is a shared PostgreSQL database (which may)."""
    return getattr(db, "backend", "sqlite") == "postgresql" or len(list_schools(db)) > 1


ALL_SCHOOLS = "all schools"


def database_name(db: Database) -> str:
    """The database as the window, its dialogs and the command line name it: the file, or
    `user@host:port/dbname` on a server (never a password, nor the URL's options), and where
    it is a trust's, the school worked in (the one acted for; a member of staff's own; or
    "all schools" for a connection that sees several and acts for none, or a superuser that
    sees them all whatever it acts for)."""
    shown = str(getattr(db, "shown", db.path))
    if getattr(db, "backend", "sqlite") != "postgresql":
        return shown
    conn = db.raw_connection()
    try:
        row = conn.execute(
            "SELECT attendance_desk_acting(), (SELECT count(*) FROM schools), "
            "attendance_desk_schools() IS NOT NULL, (SELECT name FROM schools "
            "ORDER BY id = attendance_desk_school() DESC, id LIMIT 1)"
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        return shown
    acting, seen, staff, name = row
    if (acting is None and int(seen) > 1) or db.unbound_in_trust():
        return f"{shown} \u2013 {ALL_SCHOOLS}"
    if name and (acting is not None or staff or int(seen) > 1):
        return f"{shown} \u2013 {name}"
    return shown


def list_schools(db: Database) -> tuple[SchoolInfo, ...]:
    """The schools this connection may see, by name."""
    conn = db.raw_connection()
    try:
        rows = conn.execute("SELECT id, name, urn FROM schools ORDER BY name, id").fetchall()
    finally:
        conn.close()
    if not rows:  # a school whose details are not set up yet: its rows carry school 1
        return (SchoolInfo(1, "This school"),)
    return tuple(SchoolInfo(int(r[0]), str(r[1] or ""), str(r[2] or "")) for r in rows)


@dataclass(frozen=True)
class SchoolChoice:
    """The schools a member of staff given several may work in, and the one the window's
    connection acts for (None: all of them at once)."""

    schools: tuple[SchoolInfo, ...]
    acting: int | None


def school_choice(db: Database) -> SchoolChoice | None:
    """What the window's school chooser offers, or None where there is nothing to choose: a
    SQLite file (one school), a login role given one school, or one row-level security does
    not restrict (a PostgreSQL superuser sees every school whatever it acts for). The schools
    are read over a connection acting for none: acting for one, a connection sees only it."""
    if getattr(db, "backend", "sqlite") != "postgresql":
        return None
    from attendance_desk.storage.postgres import PostgresDatabase
    from attendance_desk.storage.trust import school_url

    conn = db.raw_connection()
    try:
        row = conn.execute(
            "SELECT attendance_desk_acting(), row_security_active(to_regclass('pupils'))"
        ).fetchone()
    finally:
        conn.close()
    if row is None or not row[1]:
        return None
    acting = None if row[0] is None else int(row[0])
    whole = db
    if acting is not None:
        whole = PostgresDatabase(school_url(str(getattr(db, "url", "")), None), read_only=True)
    try:
        schools = list_schools(whole)
    finally:
        if whole is not db:
            whole.close()
    return SchoolChoice(schools, acting) if len(schools) > 1 else None


def removed_school_worked_in(db: Database) -> SchoolInfo | None:
    """The school the connection works in when the trust's owner has removed it from the
    database since (services/school_removal.py; its name as the removal recorded it), else
    None."""
    if getattr(db, "backend", "sqlite") != "postgresql":
        return None
    from attendance_desk.storage.removing import removals_recorded
    from attendance_desk.storage.trust import act_for_no_school

    conn = db.raw_connection()
    try:
        with conn:  # acting for none inside this transaction only: the school's row is gone
            acting = conn.execute("SELECT attendance_desk_acting()").fetchone()
            if acting is None or acting[0] is None:
                return None
            act_for_no_school(conn)
            school_id = int(acting[0])
            there = conn.execute("SELECT count(*) FROM schools WHERE id = ?", (school_id,))
            if there.fetchone()[0]:
                return None
            recorded = [r for r in removals_recorded(conn) if r.get("school_in_trust") == school_id]
    finally:
        conn.close()
    last = recorded[-1] if recorded else {}
    return SchoolInfo(school_id, str(last.get("school") or ""), str(last.get("urn") or ""))


def school_address(target: object, school: str) -> str:
    """The address of the trust's database `target` (a postgresql:// URL) acting for `school`,
    named by its name (or the beginning of one school's name), URN or number (the command
    line's `--school`)."""
    from attendance_desk.storage.db import is_database_url
    from attendance_desk.storage.postgres import PostgresDatabase
    from attendance_desk.storage.trust import school_url

    if not (isinstance(target, str) and is_database_url(target)):
        raise UserError(
            "--school chooses one school of a trust's database on a PostgreSQL server: "
            "give its address too (--db postgresql://user@host/dbname)"
        )
    whole = PostgresDatabase(school_url(target, None), read_only=True)
    try:
        schools = list_schools(whole)
        if whole.unbound_in_trust():  # choosing a school would not keep it to that school
            raise UserError(whole.changes_refusal("work in one school"))
    finally:
        whole.close()
    return school_url(target, find_school(schools, school).school_id)


def find_school(schools: tuple[SchoolInfo, ...], school: str) -> SchoolInfo:
    """The school named by its name (or the beginning of one school's name), URN or number
    (the command line's `--school`); UserError listing the schools when none is."""
    wanted = " ".join(school.split()).casefold()
    exact = [
        s for s in schools if wanted in (s.name.casefold(), s.urn.casefold(), str(s.school_id))
    ]
    begun = [s for s in schools if wanted and s.name.casefold().startswith(wanted)]
    for found in (exact, begun):  # the name, URN or number; else the one name it begins
        if len(found) == 1:
            return found[0]
    raise UserError(
        f"there is no school '{school}' in this database: its schools are {listed(schools)}"
    )


def listed(schools: tuple[SchoolInfo, ...]) -> str:
    """The schools as a sentence names them: `1 Oakfield Primary (URN 100001); 2 ...`."""
    return "; ".join(
        f"{s.school_id} {s.name}" + (f" (URN {s.urn})" if s.urn else "") for s in schools
    )


def school_target(db: Database, school_id: int | None) -> str:
    """The address that opens the same PostgreSQL database acting for `school_id` (None: for
    every school the login role is given), to open the window on."""
    from attendance_desk.storage.trust import school_url

    return school_url(str(getattr(db, "url", "")), school_id)


# Each pupil's year-to-date count of each code, with their school. Pupils first, then their
# marks by the primary key (pupil_id, date, session), as the school's own figures are read
# (services/monitoring/school.py: SQLite's CROSS JOIN keeps that order; PostgreSQL plans its
# own); a pupil counts from admission to leaving.
_CODES_SQL = """
SELECT p.school_id, p.id, m.code, count(*)
FROM pupils p {join} marks m ON m.pupil_id = p.id
WHERE m.date >= :start AND m.date <= :as_of
  AND (p.admission_date IS NULL OR m.date >= p.admission_date)
  AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
GROUP BY p.school_id, p.id, m.code
"""
_CASES_SQL = """
SELECT school_id, stage, count(*) FROM cases WHERE closed_on IS NULL GROUP BY school_id, stage
"""


def trust_dashboard(db: Database, as_of: date, concerns: bool = False) -> TrustDashboard:
    """Every visible school's figures and the trust's total (`concerns`: with open concerns by
    rule, from the monitoring engine: the costly part)."""
    schools = list_schools(db)
    start = AcademicYear.containing(as_of).start
    counts: dict[int, dict[int, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    cases: dict[int, Counter[str]] = defaultdict(Counter)
    conn = db.raw_connection()
    try:
        params = {"start": start.isoformat(), "as_of": as_of.isoformat()}
        join = "JOIN" if getattr(db, "backend", "sqlite") == "postgresql" else "CROSS JOIN"
        for school_id, pupil_id, code, n in conn.execute(_CODES_SQL.format(join=join), params):
            counts[int(school_id)][int(pupil_id)][str(code)] += int(n)
        for school_id, stage, n in conn.execute(_CASES_SQL):
            cases[int(school_id)][str(stage)] += int(n)
    finally:
        conn.close()
    by_school = concerns_by_school(db, schools, as_of) if concerns else {}
    rows = []
    for school in schools:
        pupils = [Figures.from_code_counts(c) for c in counts.get(school.school_id, {}).values()]
        rows.append(
            _school_row(
                school.school_id,
                school.name,
                pupils,
                cases.get(school.school_id, Counter()),
                by_school.get(school.school_id, Counter()) if concerns else None,
            )
        )
    return TrustDashboard(as_of, tuple(rows), _trust_row(rows))


def _school_row(
    school_id: int | None,
    name: str,
    pupils: Iterable[Figures],
    cases: Mapping[str, int],
    concerns: Mapping[str, int] | None,
) -> SchoolFigures:
    counted = [f for f in pupils if f.possible]
    total = EMPTY_FIGURES
    for f in counted:
        total = total + f
    return SchoolFigures(
        school_id,
        name,
        len(counted),
        total,
        sum(1 for f in counted if f.persistent),
        sum(1 for f in counted if f.severe),
        MappingProxyType(dict(cases)),
        None if concerns is None else MappingProxyType(dict(concerns)),
    )


def _trust_row(rows: list[SchoolFigures]) -> SchoolFigures:
    figures = EMPTY_FIGURES
    cases: Counter[str] = Counter()
    concerns: Counter[str] | None = Counter()
    for r in rows:
        figures = figures + r.figures
        cases.update(r.cases)
        if r.concerns is None or concerns is None:
            concerns = None
        else:
            concerns.update(r.concerns)
    return SchoolFigures(
        None,
        "The trust",
        sum(r.pupils for r in rows),
        figures,
        sum(r.persistent for r in rows),
        sum(r.severe for r in rows),
        MappingProxyType(dict(cases)),
        None if concerns is None else MappingProxyType(dict(concerns)),
    )


def acting_for(db: Database, school_id: int) -> Database | None:
    """A read-only connection to the same PostgreSQL database acting for one school (its
    rows only, by row-level security), or None where that cannot scope it: a SQLite file (one
    school), or a PostgreSQL superuser (never restricted by PostgreSQL)."""
    if getattr(db, "backend", "sqlite") != "postgresql":
        return None
    conn = db.raw_connection()
    try:
        row = conn.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    finally:
        conn.close()
    if row is None or row[0]:
        return None
    from attendance_desk.storage.postgres import PostgresDatabase
    from attendance_desk.storage.trust import school_url

    return PostgresDatabase(school_url(str(getattr(db, "url", "")), school_id), read_only=True)


def concerns_by_school(
    db: Database, schools: Iterable[SchoolInfo], as_of: date
) -> dict[int, Counter[str]]:
    """Each school's open concerns counted by rule. Where a connection can act for one school
    (PostgreSQL, see acting_for) the engine runs school by school, each with its own policy
    and calendar; else it runs once and each concern goes to its pupil's school."""
    from attendance_desk.services.monitoring import school_concerns

    schools = list(schools)
    out: dict[int, Counter[str]] = {}
    first = acting_for(db, schools[0].school_id) if len(schools) > 1 else None
    if first is not None:
        first.close()
        for school in schools:
            view = acting_for(db, school.school_id)
            assert view is not None
            try:
                out[school.school_id] = Counter(c.rule for c in school_concerns(view, as_of))
            finally:
                view.close()
        return out
    conn = db.raw_connection()
    try:
        school_of = {int(p): int(s) for p, s in conn.execute("SELECT id, school_id FROM pupils")}
    finally:
        conn.close()
    for c in school_concerns(db, as_of):
        out.setdefault(school_of.get(c.pupil_id, 1), Counter())[c.rule] += 1
    return out


def governors_report_pdf(db: Database, as_of: date, school_id: int | None = None) -> bytes:
    """The governors' report: for one school (its half-termly report, through a connection
    acting for it where the database holds several), or for the trust (`school_id` None)."""
    from attendance_desk.domain.calendar import year_start
    from attendance_desk.domain.letter_fields import long_date
    from attendance_desk.domain.pathway import STAGE_LABELS
    from attendance_desk.services.reports import half_term_report_pdf

    if school_id is not None:
        view = acting_for(db, school_id) if len(list_schools(db)) > 1 else None
        if view is None and len(list_schools(db)) > 1:
            raise UserError(
                "this connection sees every school (a PostgreSQL superuser, or a SQLite file "
                "holding several): one school's report needs a connection that can act for it"
            )
        try:
            return half_term_report_pdf(view or db, as_of)
        finally:
            if view is not None:
                view.close()
    from attendance_desk.documents.report import build_trust_report_pdf

    dashboard = trust_dashboard(db, as_of, concerns=True)
    stages = [(stage.value, label) for stage, label in STAGE_LABELS.items()]
    period = f"{long_date(year_start(as_of))} to {long_date(as_of)}"
    return build_trust_report_pdf(dashboard, "Attendance across the trust", period, stages)
