"""The pupil list: plain rows built from the roll and the engine's overviews, the table model
with its columns, and the proxy for search-as-you-type and the filters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from attendance_desk.domain.characteristics import CHARACTERISTICS
from attendance_desk.domain.characteristics import flags_of as characteristic_flags
from attendance_desk.ui.format import DASH
from attendance_desk.ui.models.proxy import RowFilterProxy
from attendance_desk.ui.models.table import Column, RowTableModel

FLAG_NAMES = {c.flag: c.name for c in CHARACTERISTICS}
GROUPS = tuple(FLAG_NAMES)
NO_BAND = "none"
NO_STAGE = "No open case"


@dataclass(frozen=True, slots=True)
class PupilRow:
    pupil_id: int
    upn: str
    surname: str
    forename: str
    year_group: str
    reg_group: str
    year_pct: float | None = None
    half_term_pct: float | None = None
    band_id: str | None = None
    band_label: str = ""
    band_colour: str | None = None
    band_owner: str = ""
    persistent: bool = False
    severe: bool = False
    stage: str = ""
    flags: tuple[str, ...] = ()
    sen_status: str = "N"
    concern_rules: tuple[str, ...] = ()
    last_contact: date | None = None
    trend: tuple[float, ...] = ()
    loaded: bool = False  # the engine's figures have arrived

    @property
    def name(self) -> str:
        return f"{self.surname}, {self.forename}"

    @property
    def search_key(self) -> str:
        return (
            f"{self.surname} {self.forename} {self.forename} {self.surname} {self.upn}".casefold()
        )


def flags_of(source: Any) -> tuple[str, ...]:
    return characteristic_flags(source)


def figures_pct(figures: Any) -> float | None:
    """The attendance % (0-100) of the engine's Figures, or None when nothing was possible."""
    if figures is None or not getattr(figures, "possible", 0):
        return None
    value = getattr(figures, "attendance_pct", None)
    if value is None:
        return None
    return float(value)


def _trend(value: Any) -> tuple[float, ...]:
    if value is None or isinstance(value, str):
        return ()
    if isinstance(value, int | float):
        return (float(value),)
    points = []
    for item in value:
        if isinstance(item, tuple | list):
            item = item[-1]
        if item is not None:
            points.append(float(item))
    return tuple(points)


def row_from_roll(entry: Any) -> PupilRow:
    return PupilRow(
        pupil_id=entry.pupil_id,
        upn=entry.upn or "",
        surname=entry.surname,
        forename=entry.forename,
        year_group=entry.year_group or "",
        reg_group=entry.reg_group or "",
        flags=flags_of(entry),
        sen_status=getattr(entry, "sen_status", "N") or "N",
    )


def row_from_overview(o: Any, stage: str = "", last_contact: date | None = None) -> PupilRow:
    band = getattr(o, "band", None)
    return PupilRow(
        pupil_id=o.pupil_id,
        upn=o.upn or "",
        surname=o.surname,
        forename=o.forename,
        year_group=o.year_group or "",
        reg_group=o.reg_group or "",
        year_pct=figures_pct(o.year),
        half_term_pct=figures_pct(getattr(o, "half_term", None)),
        band_id=band.id if band else None,
        band_label=band.label if band else "",
        band_colour=band.colour if band else None,
        band_owner=(getattr(band, "owner", "") or "") if band else "",
        persistent=bool(getattr(o, "persistent", False)),
        severe=bool(getattr(o, "severe", False)),
        stage=stage,
        flags=flags_of(o),
        sen_status=getattr(o, "sen_status", "N") or "N",
        concern_rules=tuple(getattr(o, "concern_rules", ()) or ()),
        last_contact=last_contact,
        trend=_trend(getattr(o, "trend", None)),
        loaded=True,
    )


def merge_rows(
    overviews: Iterable[Any],
    stages: Mapping[int, str] | None = None,
    last_contacts: Mapping[int, date] | None = None,
) -> list[PupilRow]:
    stages = stages or {}
    last_contacts = last_contacts or {}
    return [
        row_from_overview(o, stages.get(o.pupil_id, ""), last_contacts.get(o.pupil_id))
        for o in overviews
    ]


def _pa_rank(row: PupilRow) -> int | None:
    return 2 if row.severe else 1 if row.persistent else None


def year_sort_value(year: str) -> int | None:
    if not year:
        return None
    return {"N": -1, "R": 0}.get(year.upper(), int(year) if year.isdigit() else 99)


def year_label(value: int | None) -> str:
    if value is None:
        return DASH
    return {-1: "N", 0: "R"}.get(value, str(value))


PUPIL_COLUMNS: list[Column[PupilRow]] = [
    Column(
        "Name", lambda r: (r.surname, r.forename), display=lambda v: f"{v[0]}, {v[1]}", width=22
    ),
    Column("UPN", lambda r: r.upn or None, width=15, widest="W888888888888"),
    Column(
        "Year", lambda r: year_sort_value(r.year_group), display=year_label, width=4, kind="text"
    ),
    Column("Class", lambda r: r.reg_group or None, width=8),
    Column(
        "Year %",
        lambda r: r.year_pct,
        kind="percent",
        width=7,
        description="Attendance this academic year to date",
    ),
    Column(
        "Half term %",
        lambda r: r.half_term_pct,
        kind="percent",
        width=11,
        description="Attendance this half term to date",
    ),
    Column(
        "Band",
        lambda r: r.band_label or None,
        colour=lambda r: r.band_colour,
        width=11,
        tooltip=lambda r: (
            f"{r.band_label}: {r.band_owner}" if r.band_owner else r.band_label or None
        ),
    ),
    Column(
        "PA/SA",
        _pa_rank,
        display=lambda v: {1: "PA", 2: "SA"}.get(v, ""),
        width=6,
        description="Persistent absence (90% or below) / severe absence (50% or below)",
    ),
    Column(
        "Stage", lambda r: r.stage or None, width=14, description="Stage of the pupil's open case"
    ),
    Column(
        "Flags",
        lambda r: " ".join(r.flags) or None,
        width=13,
        tooltip=lambda r: ", ".join(FLAG_NAMES[f] for f in r.flags) or None,
    ),
    Column(
        "Concerns",
        lambda r: len(r.concern_rules) if r.loaded else None,
        kind="number",
        width=8,
        tooltip=lambda r: "\n".join(r.concern_rules) or None,
    ),
    Column("Last contact", lambda r: r.last_contact, kind="date", width=11),
    Column(
        "Trend",
        lambda r: r.trend[-1] - r.trend[0] if len(r.trend) > 1 else None,
        display=lambda v: "",
        width=9,
        export=False,
        description="Year-to-date attendance at each monitoring point",
    ),
]
COL_NAME, COL_UPN, COL_YEAR, COL_CLASS, COL_YEAR_PCT, COL_HALF_PCT, COL_BAND = range(7)
COL_STAGE, COL_FLAGS, COL_CONCERNS, COL_LAST_CONTACT, COL_TREND = 8, 9, 10, 11, 12


class PupilListModel(RowTableModel[PupilRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(PUPIL_COLUMNS, parent)

    def row_of_pupil(self, pupil_id: int) -> int | None:
        for i, r in enumerate(self.rows):
            if r.pupil_id == pupil_id:
                return i
        return None


class PupilFilterProxy(RowFilterProxy):
    """Search as you type (name, UPN) and the filters: band, year, class, group, stage, rule."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.search = ""
        self.filters: dict[str, str | None] = {}

    def set_search(self, text: str) -> None:
        words = text.casefold().split()
        self.search = text
        if not words:
            self.set_predicate("search", None)
            return
        self.set_predicate("search", lambda r: all(w in r.search_key for w in words))

    def set_filter(self, name: str, value: str | None) -> None:
        """name: band | year | class | group | stage | rule; value None clears it."""
        self.filters[name] = value
        self.set_predicate(name, None if value is None else _FILTERS[name](value))

    def clear_filters(self) -> None:
        for name in list(self.filters):
            self.set_filter(name, None)


_FILTERS = {
    "band": lambda v: lambda r: (r.band_id or NO_BAND) == v,
    "year": lambda v: lambda r: r.year_group == v,
    "class": lambda v: lambda r: r.reg_group == v,
    "group": lambda v: lambda r: v in r.flags,
    "stage": lambda v: lambda r: (r.stage or NO_STAGE) == v,
    "rule": lambda v: lambda r: v in r.concern_rules,
    "absence": lambda v: lambda r: (v == "PA" and r.persistent) or (v == "SA" and r.severe),
}
