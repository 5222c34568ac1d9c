"""A concern: a finding about one pupil under a stable rule id, with the evidence behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Stable rule ids (policy-rules.md): exports, the command line and tests use them.
BELOW_EXPECTED = "below_expected"
FALLING_ATTENDANCE = "falling_attendance"
PERSISTENT_ABSENCE = "persistent_absence"
SEVERE_ABSENCE = "severe_absence"
ABSENT_WEEK = "absent_week"
FREQUENT_ILLNESS = "frequent_illness"
PENALTY_THRESHOLD = "penalty_threshold"
UNRESOLVED_N = "unresolved_n"
LA_TEN_DAY_RETURN = "la_ten_day_return"
SICKNESS_RETURN = "sickness_return"
FREQUENT_LATENESS = "frequent_lateness"
IMPROVED = "improved"
UNAUTHORISED_AFTER_WARNING = "unauthorised_after_warning"
CONTRACT_BREACH = "contract_breach"
MEDICAL_REVIEW = "medical_review"
PART_TIME_REVIEW = "part_time_review"
MISSING_MARKS = "missing_marks"
FOCUS_FAMILY = "focus_family"
CHILDREN_MISSING_EDUCATION = "children_missing_education"

REGISTER_RULES = (
    BELOW_EXPECTED,
    FALLING_ATTENDANCE,
    PERSISTENT_ABSENCE,
    SEVERE_ABSENCE,
    ABSENT_WEEK,
    FREQUENT_ILLNESS,
    PENALTY_THRESHOLD,
    UNRESOLVED_N,
    LA_TEN_DAY_RETURN,
    SICKNESS_RETURN,
    FREQUENT_LATENESS,
    IMPROVED,
    MISSING_MARKS,
)
CASE_RULES = (
    UNAUTHORISED_AFTER_WARNING,
    CONTRACT_BREACH,
    MEDICAL_REVIEW,
    PART_TIME_REVIEW,
    FOCUS_FAMILY,
    CHILDREN_MISSING_EDUCATION,
)
ALL_RULES = REGISTER_RULES + CASE_RULES

# What each rule is called where a person reads it (lists, dashboards, reports); declared once
RULE_TITLES = {
    BELOW_EXPECTED: "Below expected",
    FALLING_ATTENDANCE: "Falling attendance",
    PERSISTENT_ABSENCE: "Persistent absence",
    SEVERE_ABSENCE: "Severe absence",
    ABSENT_WEEK: "Absent week",
    FREQUENT_ILLNESS: "Frequent illness",
    PENALTY_THRESHOLD: "Penalty threshold",
    UNRESOLVED_N: "Unresolved N codes",
    LA_TEN_DAY_RETURN: "LA ten-day return",
    SICKNESS_RETURN: "Sickness return",
    FREQUENT_LATENESS: "Frequent lateness",
    IMPROVED: "Improved",
    MISSING_MARKS: "Missing marks",
    UNAUTHORISED_AFTER_WARNING: "Unauthorised after warning",
    CONTRACT_BREACH: "Contract breach",
    MEDICAL_REVIEW: "Medical review",
    PART_TIME_REVIEW: "Part-time review",
    FOCUS_FAMILY: "Focus family",
    CHILDREN_MISSING_EDUCATION: "Children missing education",
}


def rule_title(rule: str) -> str:
    """The rule's name for people; a rule id not known here (a newer version's) is spelled out."""
    return RULE_TITLES.get(rule) or rule.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One session (or day, when `session` is None) that a person can check in the register."""

    date: date
    session: str | None = None  # "AM" | "PM"
    code: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Concern:
    pupil_id: int
    rule: str  # one of ALL_RULES
    detail: str  # one line a person reads: what was found, with the numbers
    action: str = ""  # what the policy asks for
    owner: str = ""  # who acts, from the policy
    evidence: tuple[Evidence, ...] = ()
