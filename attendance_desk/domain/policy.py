"""The school's attendance policy as data: bands, thresholds, the falling-attendance line and
what each concern asks for. Two presets read from the schools' own policies (policy-rules.md):
"clifford" (Clifford All Saints) and "clifton" (Clifton, Support First).

Percentages are Decimals (exact, as a person types them); rules compare them as Fractions.
The national rules (penalty threshold, PA/SA, LA returns, N follow-up) are always on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from attendance_desk.domain import concern as R

PRESETS = ("clifford", "clifton")
DEFAULT_PRESET = "clifford"
HALF_TERM = "half_term"
WEEK = "week"


@dataclass(frozen=True, slots=True)
class Band:
    """A half-open band on year-to-date attendance: lower_pct <= attendance < next band's lower."""

    id: str
    label: str
    colour: str  # "#rrggbb"
    lower_pct: Decimal  # 0 for the lowest band
    owner: str = ""
    actions: tuple[str, ...] = ()

    @property
    def lower(self) -> Fraction:
        return Fraction(self.lower_pct) / 100


@dataclass(frozen=True, slots=True)
class BandInfo:
    """What a pupil list shows: the band a pupil is in."""

    id: str
    label: str
    colour: str
    owner: str


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Every number the rules use (policy-rules.md defaults)."""

    expected_pct: Decimal = Decimal(96)
    persistent_pct: Decimal = Decimal(90)
    severe_pct: Decimal = Decimal(50)
    absent_week_sessions: int = 10
    illness_instances_half_term: int = 3
    illness_instances_term: int = 5
    penalty_sessions: int = 10
    penalty_weeks: int = 10
    unresolved_n_school_days: int = 5
    la_return_sessions: int = 20
    sickness_return_sessions: int = 30
    lateness_half_term: int = 5
    improved_points: Decimal = Decimal(3)
    unauthorised_after_warning_sessions: int = 1
    contract_breach_sessions: int = 10
    contract_breach_weeks: int = 10
    medical_review_weeks: int = 6
    medical_review_pct: Decimal = Decimal(85)

    def fraction(self, name: str) -> Fraction:
        """A percentage setting as an exact fraction of 1: fraction("expected_pct") == 24/25."""
        return Fraction(getattr(self, name)) / 100


@dataclass(frozen=True, slots=True)
class FallingAttendance:
    line_pct: Decimal  # below this line ...
    monitoring_point: str  # ... and lower than at the previous point: "half_term" | "week"


@dataclass(frozen=True, slots=True)
class RuleAction:
    action: str
    owner: str = ""


@dataclass(frozen=True, slots=True)
class MeetingRoute:
    """A meeting (or the class teacher's weekly report) and who the policy sends to it: every
    pupil in one of `bands`, and every pupil with an open concern under one of `rules`."""

    id: str  # stable: "class_teacher", "slt", "family_hub", "attendance_team" ...
    label: str
    owner: str
    cadence: str  # WEEK | HALF_TERM
    bands: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    per_class: bool = False  # a page per class for the class teacher, not a meeting's agenda


@dataclass(frozen=True, slots=True)
class Policy:
    preset: str  # "clifford" | "clifton" | "custom"
    name: str
    bands: tuple[Band, ...]  # highest first
    thresholds: Thresholds
    falling_attendance: FallingAttendance
    actions: Mapping[str, RuleAction] = field(default_factory=lambda: MappingProxyType({}))
    meetings: tuple[MeetingRoute, ...] = ()

    def band_span(self, band: Band) -> str:
        """The band's range in words: "96% or more", "90% to under 96%", "below 90%"."""
        ordered = sorted(self.bands, key=lambda b: b.lower_pct)
        above = [b.lower_pct for b in ordered if b.lower_pct > band.lower_pct]
        lower = f"{band.lower_pct:g}%"
        if not above:
            return f"{lower} or more"
        upper = f"{above[0]:g}%"
        return f"below {upper}" if band.lower_pct == 0 else f"{lower} to under {upper}"

    def band_for(self, attendance: Fraction | None) -> Band | None:
        """The band holding a year-to-date attendance fraction; None when there is none."""
        if attendance is None:
            return None
        for band, lower, _ in self._bands_high_first():
            if attendance >= lower:
                return band
        return None

    def band_info(self, attendance: Fraction | None) -> BandInfo | None:
        if attendance is None:
            return None
        for _, lower, info in self._bands_high_first():
            if attendance >= lower:
                return info
        return None

    def _bands_high_first(self) -> tuple[tuple[Band, Fraction, BandInfo], ...]:
        """The bands, highest first, each with its lower line and what a list shows (BandInfo
        is immutable: one for every pupil in the band); made once per policy."""
        made = _BANDS.get(id(self))
        if made is None or made[0] is not self:
            if len(_BANDS) >= 16:
                _BANDS.clear()
            made = _BANDS[id(self)] = (self, _bands_high_first(self.bands))
        return made[1]

    def action_for(self, rule: str) -> RuleAction:
        """The rule's action with the policy's numbers filled in: an action text names a
        number as {expected_pct}, {penalty_sessions}, ... (see `numbers`), never as a literal,
        so changing a threshold changes the text too."""
        # A national rule the stored settings do not name yet (added in a later release)
        # takes the national action; one the school cleared stays cleared.
        filled = _FILLED_ACTIONS.get(id(self))
        if filled is None or filled[0] is not self:  # made once per policy, for every rule
            if len(_FILLED_ACTIONS) >= 16:
                _FILLED_ACTIONS.clear()
            filled = _FILLED_ACTIONS[id(self)] = (self, {})
        found = filled[1].get(rule)
        if found is None:
            action = self.actions.get(rule, _NATIONAL.get(rule, RuleAction("")))
            found = replace(action, action=fill_numbers(action.action, self.numbers()))
            filled[1][rule] = found
        return found

    def numbers(self) -> dict[str, str]:
        """The policy's numbers as they read in an action text: every threshold, the
        falling-attendance line, and the LA returns in school days (two sessions a day)."""
        t = self.thresholds
        out = {f.name: _plain(getattr(t, f.name)) for f in fields(Thresholds)}
        out["falling_line_pct"] = _plain(self.falling_attendance.line_pct)
        out["la_return_days"] = _plain(Decimal(t.la_return_sessions) / 2)
        out["sickness_return_days"] = _plain(Decimal(t.sickness_return_sessions) / 2)
        return out

    # --- JSON (the `policy` table's settings_json) -----------------------------------------
    def to_json(self) -> str:
        return json.dumps(
            {
                "preset": self.preset,
                "name": self.name,
                "bands": [
                    {**asdict(b), "lower_pct": str(b.lower_pct), "actions": list(b.actions)}
                    for b in self.bands
                ],
                "thresholds": {
                    f.name: _dump_number(getattr(self.thresholds, f.name))
                    for f in fields(Thresholds)
                },
                "falling_attendance": {
                    "line_pct": str(self.falling_attendance.line_pct),
                    "monitoring_point": self.falling_attendance.monitoring_point,
                },
                "actions": {k: asdict(v) for k, v in self.actions.items()},
                "meetings": [
                    {**asdict(m), "bands": list(m.bands), "rules": list(m.rules)}
                    for m in self.meetings
                ],
            },
            indent=2,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Policy:
        """Read settings; missing thresholds take the defaults. Raises ValueError when invalid."""
        data = json.loads(text)
        defaults = Thresholds()
        given = data.get("thresholds", {})
        values: dict[str, Any] = {
            f.name: _load_number(given.get(f.name, getattr(defaults, f.name)), f.type)
            for f in fields(Thresholds)
        }
        thresholds = Thresholds(**values)
        bands = tuple(
            Band(
                id=str(b["id"]),
                label=str(b["label"]),
                colour=str(b["colour"]),
                lower_pct=Decimal(str(b["lower_pct"])),
                owner=str(b.get("owner", "")),
                actions=tuple(str(a) for a in b.get("actions", ())),
            )
            for b in data["bands"]
        )
        fa = data["falling_attendance"]
        policy = cls(
            preset=str(data.get("preset", "custom")),
            name=str(data.get("name", "")),
            bands=bands,
            thresholds=thresholds,
            falling_attendance=FallingAttendance(
                Decimal(str(fa["line_pct"])), str(fa["monitoring_point"])
            ),
            actions=MappingProxyType(
                {
                    k: RuleAction(str(v.get("action", "")), str(v.get("owner", "")))
                    for k, v in data.get("actions", {}).items()
                }
            ),
            meetings=_load_meetings(data),
        )
        validate(policy)
        return policy

    def with_thresholds(self, **changes: Any) -> Policy:
        return replace(self, thresholds=replace(self.thresholds, **changes), preset="custom")


# Each policy's actions with its numbers filled in (RuleAction is immutable), by the policy's
# id; the policy is held with them, so its id is not reused while it is here.
_FILLED_ACTIONS: dict[int, tuple[Policy, dict[str, RuleAction]]] = {}
# Each policy's bands, highest first (Policy.band_for), by id while the policy lives.
_BANDS: dict[int, tuple[Policy, tuple[tuple[Band, Fraction, BandInfo], ...]]] = {}

_NUMBER = re.compile(r"\{([a-z_]+)\}")


def fill_numbers(text: str, numbers: Mapping[str, str]) -> str:
    """Replace each {name} the policy knows; anything else in braces is left as written."""
    return _NUMBER.sub(lambda m: numbers.get(m[1], m[0]), text)


def _plain(value: int | Decimal) -> str:
    """96 -> "96", Decimal("92.50") -> "92.5"."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


@lru_cache(maxsize=16)
def _bands_high_first(bands: tuple[Band, ...]) -> tuple[tuple[Band, Fraction, BandInfo], ...]:
    ordered = sorted(bands, key=lambda b: b.lower_pct, reverse=True)
    return tuple((b, b.lower, BandInfo(b.id, b.label, b.colour, b.owner)) for b in ordered)


def _load_meetings(data: Mapping[str, Any]) -> tuple[MeetingRoute, ...]:
    """The stored meetings; settings saved before meetings existed take their preset's."""
    if "meetings" not in data:
        name = str(data.get("preset", ""))
        return preset(name).meetings if name in PRESETS else ()
    return tuple(
        MeetingRoute(
            id=str(m["id"]),
            label=str(m.get("label", m["id"])),
            owner=str(m.get("owner", "")),
            cadence=str(m.get("cadence", WEEK)),
            bands=tuple(str(b) for b in m.get("bands", ())),
            rules=tuple(str(r) for r in m.get("rules", ())),
            per_class=bool(m.get("per_class", False)),
        )
        for m in data["meetings"]
    )


def validate(policy: Policy) -> None:
    """Raise ValueError with a sentence a person can act on when the settings cannot work."""
    if not policy.bands:
        raise ValueError("the policy needs at least one band")
    if min(b.lower_pct for b in policy.bands) != 0:
        raise ValueError("the lowest band must start at 0%")
    ids = [b.id for b in policy.bands]
    if len(set(ids)) != len(ids):
        raise ValueError("band ids must be different")
    lowers = [b.lower_pct for b in policy.bands]
    if len(set(lowers)) != len(lowers):
        raise ValueError("two bands start at the same percentage")
    for b in policy.bands:
        if not 0 <= b.lower_pct <= 100:
            raise ValueError(f"band '{b.id}' starts outside 0-100%")
    if policy.falling_attendance.monitoring_point not in (HALF_TERM, WEEK):
        raise ValueError("the falling-attendance monitoring point must be 'half_term' or 'week'")
    meeting_ids = [m.id for m in policy.meetings]
    if len(set(meeting_ids)) != len(meeting_ids):
        raise ValueError("meeting ids must be different")
    for m in policy.meetings:
        if m.cadence not in (HALF_TERM, WEEK):
            raise ValueError(f"meeting '{m.id}' must meet each 'week' or each 'half_term'")
        for band_id in m.bands:
            if band_id not in ids:
                raise ValueError(f"meeting '{m.id}' names band '{band_id}', which the policy lacks")
        for rule in m.rules:
            if rule not in R.ALL_RULES:
                raise ValueError(f"meeting '{m.id}' names '{rule}', which is not a concern rule")
    for f in fields(Thresholds):
        value = getattr(policy.thresholds, f.name)
        if value < 0 or (f.name.endswith("_pct") and value > 100):
            raise ValueError(f"{f.name.replace('_', ' ')} is out of range: {value}")


def _dump_number(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def _load_number(value: object, type_name: object) -> object:
    if type_name in ("Decimal", Decimal):
        return Decimal(str(value))
    if isinstance(value, bool) or int(str(value)) != float(str(value)):
        raise ValueError(f"'{value}' is not a whole number")
    return int(str(value))


# --- presets ------------------------------------------------------------------------------
_NATIONAL = {
    R.PERSISTENT_ABSENCE: RuleAction(
        "Persistent absence (attendance {persistent_pct}% or below): prioritise for support; "
        "check the case stage",
        "Attendance officer",
    ),
    R.SEVERE_ABSENCE: RuleAction(
        "Severe absence ({severe_pct}% or below): discuss with the DSL and the local authority "
        "attendance team",
        "Designated safeguarding lead",
    ),
    R.PENALTY_THRESHOLD: RuleAction(
        "{penalty_sessions} unauthorised sessions in {penalty_weeks} school weeks: consider a "
        "penalty notice or a Notice to Improve",
        "Headteacher",
    ),
    R.UNRESOLVED_N: RuleAction(
        "Resolve the N code: find the reason and recode (O if none is given)", "School office"
    ),
    R.LA_TEN_DAY_RETURN: RuleAction(
        "Tell the local authority: {la_return_days} consecutive school days of unauthorised "
        "absence",
        "Attendance officer",
    ),
    R.SICKNESS_RETURN: RuleAction(
        "Tell the local authority: {sickness_return_days} school days of illness this year",
        "Attendance officer",
    ),
    R.MISSING_MARKS: RuleAction("Complete the register for these sessions", "School office"),
    R.CHILDREN_MISSING_EDUCATION: RuleAction(
        "Possibly missing education: keep trying to reach the family (calls, a home visit); "
        "refer to the local authority's children missing education team with the attempts made",
        "Attendance officer",
    ),
    R.PART_TIME_REVIEW: RuleAction(
        "C2 part-time timetable: record it with a review date, or review it now",
        "Attendance officer",
    ),
}

_CLIFFORD_ACTIONS = {
    **_NATIONAL,
    R.BELOW_EXPECTED: RuleAction(
        "Below {expected_pct}%: discuss at the Attendance Team; agree actions and track their "
        "impact; "
        "half-termly letter with the % and colour",
        "Attendance Team",
    ),
    R.FALLING_ATTENDANCE: RuleAction(
        "Dip between monitoring points: school attendance discussion; decide action on the "
        "known circumstances and discuss with the family; prioritise for support",
        "Attendance Team",
    ),
    R.ABSENT_WEEK: RuleAction(
        "Absent for a week or more: call the family; inform the Attendance Team",
        "Attendance officer",
    ),
    R.FREQUENT_ILLNESS: RuleAction(
        "Repeated illness: meet the family; with consent, refer to the school nurse",
        "Attendance Team",
    ),
    R.FREQUENT_LATENESS: RuleAction(
        "Frequent lateness: talk to the family about mornings; offer tier 2 support",
        "Attendance officer",
    ),
    R.IMPROVED: RuleAction("Send the improvement letter", "Attendance officer"),
    R.UNAUTHORISED_AFTER_WARNING: RuleAction(
        "Further unauthorised absence under Formalise Support: send the next pathway letter",
        "Attendance Team",
    ),
    R.CONTRACT_BREACH: RuleAction(
        "Contract not kept: pathway letter 3 with a penalty notice", "Headteacher"
    ),
    R.MEDICAL_REVIEW: RuleAction(
        "No improvement: seek consent for a school nurse referral", "Attendance Team"
    ),
    R.FOCUS_FAMILY: RuleAction(
        "Focus family: monitor closely from the start of the year; prioritise for support",
        "Attendance Team",
    ),
}

_CLIFTON_ACTIONS = {
    **_NATIONAL,
    R.BELOW_EXPECTED: RuleAction(
        "Below {expected_pct}%: act for the pupil's band (class teacher, senior leaders or "
        "Family Hub)",
        "Class teacher",
    ),
    R.FALLING_ATTENDANCE: RuleAction(
        "Falling attendance under {falling_line_pct}%: scrutinise absence for patterns at the "
        "joint weekly SLT "
        "and Family Hub meeting; agree a plan of action",
        "Senior leaders and Family Hub",
    ),
    R.ABSENT_WEEK: RuleAction(
        "Absent for a week or more: inform SLT, whatever the overall percentage",
        "Senior leaders",
    ),
    R.FREQUENT_ILLNESS: RuleAction(
        "Follow the Frequent Illness Protocol: informal meeting and Early Help offer; advise a "
        "GP visit; agree an informal action plan and monitor for {medical_review_weeks} weeks",
        "Family Hub",
    ),
    R.FREQUENT_LATENESS: RuleAction(
        "Frequent lateness: class teacher to talk to the family", "Class teacher"
    ),
    R.IMPROVED: RuleAction("Send a praise letter", "Class teacher"),
    R.UNAUTHORISED_AFTER_WARNING: RuleAction(
        "One further session of unauthorised absence: invite to a formal attendance meeting "
        "(FAM) in writing and draw up an attendance contract",
        "Senior leaders",
    ),
    R.CONTRACT_BREACH: RuleAction(
        "{contract_breach_sessions} further unauthorised sessions since the contract: revisit "
        "the contract and refer "
        "to ELIT",
        "Senior leaders",
    ),
    R.MEDICAL_REVIEW: RuleAction(
        "No improvement after {medical_review_weeks} weeks and attendance below "
        "{medical_review_pct}%: seek consent for a school nurse referral",
        "Family Hub",
    ),
    R.FOCUS_FAMILY: RuleAction(
        "Ended last year below {expected_pct}% or with an open case: monitor closely",
        "Senior leaders",
    ),
}


def clifford() -> Policy:
    """Clifford All Saints: 96% expectation, colour-coded bands, half-termly monitoring points."""
    return Policy(
        preset="clifford",
        name="Clifford All Saints",
        bands=(
            Band(
                "green",
                "Green",
                "#2e7d32",
                Decimal(96),
                "Attendance officer",
                ("Half-termly letter with the % and colour", "Celebrate good attendance"),
            ),
            Band(
                "amber",
                "Amber",
                "#f9a825",
                Decimal(90),
                "Attendance Team",
                (
                    "Discussed by the Attendance Team at the end of the half term",
                    "Actions agreed and tracked for impact",
                    "Half-termly letter with the % and colour and the actions required",
                ),
            ),
            Band(
                "red",
                "Red",
                "#c62828",
                Decimal(0),
                "Attendance Team",
                (
                    "Discussed by the Attendance Team at the end of the half term",
                    "Phone call, then a face-to-face meeting",
                    "Prioritised for support (tiers 1-3)",
                    "Half-termly letter with the % and colour and the actions required",
                ),
            ),
        ),
        thresholds=Thresholds(),
        falling_attendance=FallingAttendance(Decimal(96), HALF_TERM),
        actions=MappingProxyType(dict(_CLIFFORD_ACTIONS)),
        meetings=(
            MeetingRoute(
                "attendance_team",
                "Attendance Team half-term review",
                "Attendance Team",
                HALF_TERM,
                rules=(R.BELOW_EXPECTED,),
            ),
        ),
    )


def clifton() -> Policy:
    """Clifton (Support First): bands with owners, weekly monitoring, falling under 93%."""
    return Policy(
        preset="clifton",
        name="Clifton (Support First)",
        bands=(
            Band(
                "green",
                "96% and above",
                "#2e7d32",
                Decimal(96),
                "",
                ("Expect: whole-school approach",),
            ),
            Band(
                "class_teacher",
                "Class teacher (93-95.99%)",
                "#f9a825",
                Decimal(93),
                "Class teacher",
                (
                    "Weekly report",
                    "Supportive letter from the office for the class teacher to give to the parent",
                ),
            ),
            Band(
                "senior_leaders",
                "Senior leaders (90-92.99%)",
                "#ef6c00",
                Decimal(90),
                "Senior leaders (SLT)",
                (
                    "Discussion at the weekly SLT meeting and a plan of action",
                    "SLT phone call to parents",
                    "Vulnerable children identified",
                ),
            ),
            Band(
                "family_hub",
                "Family Hub (below 90%)",
                "#c62828",
                Decimal(0),
                "Family Hub",
                (
                    "Discussion at the weekly SLT meeting and a plan of action",
                    "Family Hub phone call",
                    "Family Hub meeting and attendance contract",
                    "Offer of Early Help and other support",
                ),
            ),
        ),
        thresholds=Thresholds(),
        falling_attendance=FallingAttendance(Decimal(93), WEEK),
        actions=MappingProxyType(dict(_CLIFTON_ACTIONS)),
        meetings=(
            MeetingRoute(
                "class_teacher",
                "Class teacher's weekly report",
                "Class teacher",
                WEEK,
                bands=("class_teacher",),
                per_class=True,
            ),
            MeetingRoute(
                "slt",
                "Weekly SLT meeting",
                "Senior leaders (SLT)",
                WEEK,
                bands=("senior_leaders",),
                rules=(
                    R.FALLING_ATTENDANCE,
                    R.ABSENT_WEEK,
                    R.UNAUTHORISED_AFTER_WARNING,
                    R.CONTRACT_BREACH,
                ),
            ),
            MeetingRoute(
                "family_hub",
                "Weekly SLT and Family Hub meeting",
                "Family Hub",
                WEEK,
                bands=("family_hub",),
                rules=(R.FREQUENT_ILLNESS, R.MEDICAL_REVIEW),
            ),
        ),
    )


def preset(name: str) -> Policy:
    if name == "clifford":
        return clifford()
    if name == "clifton":
        return clifton()
    raise ValueError(f"'{name}' is not a policy preset (choose clifford or clifton)")
