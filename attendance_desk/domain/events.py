"""Timeline events: the kinds, their kind-specific details, validation and a one-line summary.

Details are stored as JSON; `details_to_dict` / `details_from_dict` convert, and every
constructor path goes through `validate`, which raises EventDetailsError with a sentence a
person can act on.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from attendance_desk.domain.codes import CODES
from attendance_desk.domain.dates import numeric
from attendance_desk.errors import UserError


class EventDetailsError(UserError):
    """An event's details are incomplete or contradict each other."""


class EventKind(StrEnum):
    PHONE_CALL = "phone_call"
    MEETING = "meeting"
    HOME_VISIT = "home_visit"
    NOTE = "note"
    LETTER_SENT = "letter_sent"
    REFERRAL = "referral"
    ATTENDANCE_CONTRACT = "attendance_contract"
    PART_TIME_TIMETABLE = "part_time_timetable"
    ILLNESS_PLAN = "frequent_illness_plan"
    NOTICE_TO_IMPROVE = "notice_to_improve"
    PENALTY_NOTICE = "penalty_notice"
    ATTENDANCE_PANEL = "attendance_panel"
    SUPERVISION_ORDER = "education_supervision_order"
    PROSECUTION = "prosecution"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    EventKind.PHONE_CALL: "Phone call",
    EventKind.MEETING: "Meeting",
    EventKind.HOME_VISIT: "Home visit",
    EventKind.NOTE: "Note",
    EventKind.LETTER_SENT: "Letter sent",
    EventKind.REFERRAL: "Referral",
    EventKind.ATTENDANCE_CONTRACT: "Attendance contract",
    EventKind.PART_TIME_TIMETABLE: "Part-time timetable",
    EventKind.ILLNESS_PLAN: "Frequent Illness action plan",
    EventKind.NOTICE_TO_IMPROVE: "Notice to Improve",
    EventKind.PENALTY_NOTICE: "Penalty notice",
    EventKind.ATTENDANCE_PANEL: "School attendance panel",
    EventKind.SUPERVISION_ORDER: "Education supervision order",
    EventKind.PROSECUTION: "Prosecution",
}

# Events that show support was offered to the family (the Enforce gate reads these).
SUPPORT_KINDS = frozenset(
    {
        EventKind.MEETING,
        EventKind.HOME_VISIT,
        EventKind.REFERRAL,
        EventKind.ATTENDANCE_CONTRACT,
        EventKind.PART_TIME_TIMETABLE,
        EventKind.ILLNESS_PLAN,
    }
)

CALL_OUTCOMES = {
    "spoke": "Spoke to contact",
    "no_answer": "No answer",
    "message_left": "Message left",
    "wrong_number": "Wrong number",
}
MEETING_TYPES = {
    "informal": "Informal meeting",
    "fam": "Formal attendance meeting (FAM)",
    "slt": "SLT meeting",
    "family_hub": "Family Hub meeting",
    "tac": "Team around the family",
}
REFERRAL_AGENCIES = {
    "school_nurse": "School nurse",
    "early_help": "Early Help",
    "camhs": "CAMHS",
    "gp_advised": "GP visit advised",
    "la_attendance": "LA attendance team",
    "la_legal": "LA legal team (ELIT)",
    "social_care": "Social care",
    "la_cme": "LA children missing education team",
}
CONSENT = {
    "given": "Consent given",
    "refused": "Consent refused",
    "not_needed": "No consent needed",
}
PENALTY_STATUSES = {
    "issued": "Issued",
    "paid": "Paid",
    "withdrawn": "Withdrawn",
    "prosecuted": "Prosecuted",
}


@dataclass(frozen=True)
class PhoneCall:
    contact_name: str = ""
    number: str = ""
    direction: str = "out"  # "out" | "in"
    outcome: str = "spoke"  # CALL_OUTCOMES
    reason_given: str = ""
    suggested_code: str | None = None
    follow_up: bool = False
    notes: str = ""
    time: str = ""  # "09:12": the time of day the call was made (local time)

    @property
    def reached(self) -> bool:
        return self.outcome == "spoke"


@dataclass(frozen=True)
class Meeting:
    meeting_type: str = "informal"  # MEETING_TYPES
    time: str = ""  # "09:15"
    place: str = ""
    attendees: tuple[str, ...] = ()
    attended: bool | None = None  # None: not held yet
    outcome: str = ""


@dataclass(frozen=True)
class HomeVisit:
    visitors: tuple[str, ...] = ()
    child_seen: bool = False
    outcome: str = ""


def reached_family(details: object) -> bool:
    """A contact that reached the family: a call answered, a meeting attended, a home visit
    that saw the child (the school then knows where the child is)."""
    return (
        (isinstance(details, PhoneCall) and details.reached)
        or (isinstance(details, Meeting) and details.attended is True)
        or (isinstance(details, HomeVisit) and details.child_seen)
    )


@dataclass(frozen=True)
class Note:
    text: str = ""


@dataclass(frozen=True)
class LetterSent:
    title: str = ""
    letter_id: int | None = None  # the letters register, when the letter came from there


@dataclass(frozen=True)
class Referral:
    agency: str = "early_help"  # REFERRAL_AGENCIES
    consent: str = "given"  # CONSENT
    outcome: str = ""


@dataclass(frozen=True)
class AttendanceContract:
    signed: date | None = None
    terms: str = ""
    review_dates: tuple[date, ...] = ()
    end: date | None = None


@dataclass(frozen=True)
class PartTimeTimetableDetails:
    start: date | None = None
    end: date | None = None
    sessions: str = ""  # "mornings only", "AM Mon-Wed" ...
    review_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class IllnessPlan:
    started: date | None = None
    review_date: date | None = None  # the 6-week review
    actions: str = ""
    gp_advised: bool = False


@dataclass(frozen=True)
class NoticeToImprove:
    issued: date | None = None
    period_weeks: int = 6  # school weeks, 3 to 6
    period_end: date | None = None
    target: str = ""
    on_track: bool | None = None
    outcome: str = ""  # at the end of the period: met, not met (penalty notice) ...


@dataclass(frozen=True)
class PenaltyNotice:
    parent: str = ""  # the contact the notice is issued to
    issued: date | None = None
    amount: int = 0  # GBP, by domain.penalty
    status: str = "issued"  # PENALTY_STATUSES
    paid_on: date | None = None
    la_reference: str = ""  # the local authority's reference for the notice
    below_threshold_reason: str = ""  # why it was issued with fewer sessions than the threshold


@dataclass(frozen=True)
class AttendancePanel:
    outcome: str = ""


@dataclass(frozen=True)
class SupervisionOrder:
    applied: date | None = None
    granted: date | None = None
    outcome: str = ""


@dataclass(frozen=True)
class Prosecution:
    section: str = "444(1)"  # "444(1)" | "444(1A)"
    hearing: date | None = None
    outcome: str = ""


Details = (
    PhoneCall
    | Meeting
    | HomeVisit
    | Note
    | LetterSent
    | Referral
    | AttendanceContract
    | PartTimeTimetableDetails
    | IllnessPlan
    | NoticeToImprove
    | PenaltyNotice
    | AttendancePanel
    | SupervisionOrder
    | Prosecution
)

DETAIL_TYPES: dict[EventKind, type] = {
    EventKind.PHONE_CALL: PhoneCall,
    EventKind.MEETING: Meeting,
    EventKind.HOME_VISIT: HomeVisit,
    EventKind.NOTE: Note,
    EventKind.LETTER_SENT: LetterSent,
    EventKind.REFERRAL: Referral,
    EventKind.ATTENDANCE_CONTRACT: AttendanceContract,
    EventKind.PART_TIME_TIMETABLE: PartTimeTimetableDetails,
    EventKind.ILLNESS_PLAN: IllnessPlan,
    EventKind.NOTICE_TO_IMPROVE: NoticeToImprove,
    EventKind.PENALTY_NOTICE: PenaltyNotice,
    EventKind.ATTENDANCE_PANEL: AttendancePanel,
    EventKind.SUPERVISION_ORDER: SupervisionOrder,
    EventKind.PROSECUTION: Prosecution,
}


def kind_of(details: Details) -> EventKind:
    for kind, cls in DETAIL_TYPES.items():
        if type(details) is cls:
            return kind
    raise TypeError(f"{type(details).__name__} is not an event's details")


# -- JSON round trip --------------------------------------------------------------------------


def details_to_dict(details: Details) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(details):
        value = getattr(details, f.name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = [v.isoformat() if isinstance(v, date) else v for v in value]
        out[f.name] = value
    return out


def details_from_dict(kind: EventKind | str, data: dict[str, Any]) -> Details:
    """Build and validate the details of `kind`; unknown keys are ignored (older files)."""
    cls = DETAIL_TYPES[EventKind(kind)]
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        values[f.name] = _convert(data[f.name], hints[f.name], f.name)
    return validate(cls(**values))


def _convert(value: Any, hint: Any, name: str) -> Any:
    args = typing.get_args(hint)
    if value is None:
        return None
    if typing.get_origin(hint) is tuple:
        return tuple(_convert(v, args[0], name) for v in value)
    if hint is date or date in args:
        return value if isinstance(value, date) else _parse_date(value, name)
    return value


def _parse_date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise EventDetailsError(f"{name.replace('_', ' ')}: '{value}' is not a date") from None


# -- validation -------------------------------------------------------------------------------


def validate(details: Details) -> Details:
    """Return `details` unchanged when they make sense; raise EventDetailsError otherwise."""
    match details:
        case PhoneCall():
            _one_of(details.outcome, CALL_OUTCOMES, "call outcome")
            _one_of(details.direction, {"in": 1, "out": 1}, "call direction")
            if details.suggested_code is not None and details.suggested_code not in CODES:
                raise EventDetailsError(f"'{details.suggested_code}' is not an attendance code")
        case Meeting():
            _one_of(details.meeting_type, MEETING_TYPES, "meeting type")
        case Referral():
            _one_of(details.agency, REFERRAL_AGENCIES, "referral agency")
            _one_of(details.consent, CONSENT, "consent")
        case AttendanceContract():
            _need(details.signed, "an attendance contract needs the date it was signed")
            _after(details.signed, details.end, "the contract's end")
            for review in details.review_dates:
                _after(details.signed, review, "a review date")
        case PartTimeTimetableDetails():
            _need(details.start, "a part-time timetable needs a start date")
            _after(details.start, details.end, "the timetable's end")
            for review in details.review_dates:
                _after(details.start, review, "a review date")
        case IllnessPlan():
            _need(details.started, "a Frequent Illness action plan needs its start date")
            _after(details.started, details.review_date, "the review date")
        case NoticeToImprove():
            _need(details.issued, "a Notice to Improve needs the date it was issued")
            if not 3 <= details.period_weeks <= 6:
                raise EventDetailsError(
                    "a Notice to Improve's improvement period is 3 to 6 school weeks"
                )
            _after(details.issued, details.period_end, "the end of the improvement period")
        case PenaltyNotice():
            _need(details.issued, "a penalty notice needs the date it was issued")
            if not details.parent.strip():
                raise EventDetailsError("a penalty notice is issued to a named parent")
            _one_of(details.status, PENALTY_STATUSES, "penalty notice status")
            _after(details.issued, details.paid_on, "the payment date")
        case Prosecution():
            _one_of(details.section, {"444(1)": 1, "444(1A)": 1}, "section of the Act")
    return details


def _one_of(value: str, allowed: dict[str, Any], what: str) -> None:
    if value not in allowed:
        raise EventDetailsError(f"'{value}' is not a {what} (one of {', '.join(allowed)})")


def _need(value: object, message: str) -> None:
    if value is None:
        raise EventDetailsError(message)


def _after(start: date | None, later: date | None, what: str) -> None:
    if start is not None and later is not None and later < start:
        raise EventDetailsError(f"{what} ({later.isoformat()}) is before {start.isoformat()}")


# -- one line for the timeline ----------------------------------------------------------------


def summarise(details: Details) -> str:
    match details:
        case PhoneCall():
            who = details.contact_name or "contact"
            line = f"{'Call to' if details.direction == 'out' else 'Call from'} {who}"
            line = f"{details.time} {line}" if details.time else line
            line += f": {CALL_OUTCOMES[details.outcome].lower()}"
            if details.reason_given:
                line += f"; reason: {details.reason_given}"
            if details.suggested_code:
                line += f" (code {details.suggested_code})"
            return line + ("; follow-up needed" if details.follow_up else "")
        case Meeting():
            line = MEETING_TYPES[details.meeting_type]
            when_where = ", ".join(
                x for x in (details.time, f"at {details.place}" if details.place else "") if x
            )
            line += f", {when_where}" if when_where else ""
            if details.attended is None:
                line += ": planned"
            elif details.attended is False:
                line += ": did not attend"
            elif details.attended:
                line += ": attended"
            return line + (f"; {details.outcome}" if details.outcome else "")
        case HomeVisit():
            return "Home visit" + ("; child seen" if details.child_seen else "") + _tail(details)
        case Note():
            return details.text.splitlines()[0] if details.text else "Note"
        case LetterSent():
            return f"Letter sent: {details.title}" if details.title else "Letter sent"
        case Referral():
            return f"Referral to {REFERRAL_AGENCIES[details.agency]}: {CONSENT[details.consent].lower()}"
        case AttendanceContract():
            return f"Attendance contract signed {_d(details.signed)}" + (
                f", ends {_d(details.end)}" if details.end else ""
            )
        case PartTimeTimetableDetails():
            return f"Part-time timetable from {_d(details.start)}" + (
                f" to {_d(details.end)}" if details.end else ""
            )
        case IllnessPlan():
            return f"Frequent Illness action plan; 6-week review {_d(details.review_date)}"
        case NoticeToImprove():
            line = f"Notice to Improve: {details.period_weeks} school weeks" + (
                f" to {_d(details.period_end)}" if details.period_end else ""
            )
            line += f"; target {details.target}" if details.target else ""
            return line + (f"; outcome: {details.outcome}" if details.outcome else "")
        case PenaltyNotice():
            ref = f"; LA ref {details.la_reference}" if details.la_reference else ""
            return (
                f"Penalty notice to {details.parent}: \u00a3{details.amount} "
                f"({PENALTY_STATUSES[details.status].lower()}){ref}"
            )
        case AttendancePanel():
            return "School attendance panel" + _tail(details)
        case SupervisionOrder():
            return "Education supervision order" + _tail(details)
        case Prosecution():
            return f"Prosecution under s.{details.section} Education Act 1996" + _tail(details)
    return ""


def _tail(details: Any) -> str:
    return f"; {details.outcome}" if getattr(details, "outcome", "") else ""


def _d(value: date | None) -> str:
    return numeric(value) if value else "?"
