"""Column names used by the common MIS products, and the role each one plays.

Headers are compared as `cells.header_key` (lower case, letters and digits only), so
'Reg. Group', 'REG GROUP' and 'reg_group' are the same header.
"""

from __future__ import annotations

import re

from attendance_desk.importers.cells import header_key

IDENTITY_ROLES = ("upn", "adno", "person_id", "any_id", "surname", "forename", "name")
# Roles that name a child for certain: while a file has one, pupils are matched by it.
ID_ROLES = frozenset({"upn", "adno", "person_id", "any_id"})

# role -> the header keys that mean it
_ALIASES: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "uniquepupilnumber", "pupilupn", "studentupn", "upnnumber", "learnerupn"),
    "adno": (
        "adno",
        "admissionno",
        "admissionnumber",
        "admno",
        "admissionnum",
        "adminno",
        "admissionsnumber",
        "admissionsno",
        "pupiladno",
        "studentadno",
    ),
    # an MIS's own id for a person (kept on the pupil from a roster)
    "person_id": (
        "personid",
        "studentuniqueid",
        "pupiluniqueid",
        "misid",
        "uniqueid",
        "pupilpersonid",
        "studentpersonid",
        "mispersonid",
    ),
    # 'Student ID' is the admission number in some products, a person id in others: the
    # values decide (admission numbers held, person ids held), never a guess
    "any_id": ("studentid", "pupilid", "learnerid"),
    "surname": ("legalsurname", "surname", "lastname", "familyname", "legallastname"),
    "forename": (
        "legalforename",
        "forename",
        "firstname",
        "givenname",
        "legalfirstname",
        "forenames",
    ),
    "preferred_forename": ("preferredforename", "preferredfirstname", "knownas", "preferredname"),
    "preferred_surname": ("preferredsurname", "preferredlastname"),
    "name": (
        "name",
        "pupilname",
        "fullname",
        "pupil",
        "student",
        "studentname",
        "learner",
        "learnername",
        "legalname",
        "surnameforename",
        "surnameforenames",
        "forenamesurname",
    ),
    "reg_group": (
        "reggroup",
        "registrationgroup",
        "registrationform",
        "regform",
        "form",
        "formgroup",
        "class",
        "classname",
        "regroup",
        "tutorgroup",
        "regclass",
        "reg",
    ),
    "year_group": (
        "year",
        "yeargroup",
        "ncyear",
        "yr",
        "curriculumyear",
        "nationalcurriculumyear",
        "ncyeargroup",
        "yeargrp",
    ),
    "dob": ("dob", "dateofbirth", "birthdate"),
    "sex": ("sex", "gender"),
    "pupil_premium": ("pupilpremium", "pp", "ppindicator", "pupilpremiumindicator"),
    "fsm": ("fsm", "fsmeligible", "freeschoolmeals", "fsmeligibility"),
    "sen_status": ("sen", "senstatus", "senprovision", "send"),
    "eal": ("eal", "englishasanadditionallanguage"),
    "looked_after": ("lac", "cla", "lookedafter", "inlacare", "lookedafterchild"),
    "child_protection": ("cp", "cpp", "childprotection", "childprotectionplan"),
    "child_in_need": ("cin", "childinneed"),
    "admission_date": ("admissiondate", "dateofadmission", "doa", "startdate", "entrydate"),
    "leaving_date": ("leavingdate", "dateofleaving", "dol", "leavedate", "enddateofroll"),
    "date": (
        "date",
        "attendancedate",
        "sessiondate",
        "registerdate",
        "day",
        "datetime",
        "sessionstart",
        "sessiondatetime",
        "startdatetime",
    ),
    "session": ("session", "period", "amp", "ampm", "sessionname", "sessiontype", "amorpm"),
    "mark": (
        "mark",
        "code",
        "rawmark",
        "attendancemark",
        "attendancecode",
        "markcode",
        "sessionmark",
    ),
    "am": ("am", "morning", "ammark", "amcode", "session1", "morningmark"),
    "pm": ("pm", "afternoon", "pmmark", "pmcode", "session2", "afternoonmark"),
    "half_term": ("halfterm", "halftermname", "term", "termname", "halftermtitle"),
    "start": ("start", "startdate", "from", "firstday", "begins"),
    "end": ("end", "enddate", "to", "lastday", "ends"),
    "kind": ("kind", "type", "closuretype", "reason"),
    "description": ("description", "details", "notes", "comment", "name"),
}

CONTACT_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "contactname", ""),
    "title": ("title",),
    "relationship": ("relationship", "relation", "relationshiptopupil"),
    "phone": ("phone", "telephone", "tel", "phonenumber", "telephonenumber", "contactnumber"),
    "phone_home": ("homephone", "hometelephone", "phonehome", "home"),
    "phone_mobile": ("mobile", "mobilephone", "phonemobile", "mobilenumber"),
    "phone_work": ("workphone", "worktelephone", "phonework", "work"),
    "email": ("email", "emailaddress"),
    "parental_responsibility": ("parentalresponsibility", "pr", "hasparentalresponsibility"),
    "lives_with": ("liveswithpupil", "liveswith", "resideswithpupil", "liveswithchild"),
    "address1": ("addressline1", "address1", "address", "street"),
    "address2": ("addressline2", "address2", "locality"),
    "address3": ("addressline3", "address3", "town", "city"),
    "postcode": ("postcode", "postalcode"),
}

_CONTACT_RE = re.compile(r"^(?:contact|parent|carer|guardian)(\d)(.*)$")

ALIAS_TO_ROLE: dict[str, str] = {}
for _role, _keys in _ALIASES.items():
    for _key in _keys:
        ALIAS_TO_ROLE.setdefault(_key, _role)

_CONTACT_ALIAS: dict[str, str] = {k: f for f, keys in CONTACT_FIELDS.items() for k in keys}

# Roles a user can give a column in the mapping step (the register roles first).
ROLE_LABELS: dict[str, str] = {
    "ignore": "(ignore)",
    "upn": "UPN",
    "adno": "Admission number",
    "person_id": "MIS person id",
    "surname": "Surname",
    "forename": "Forename",
    "name": "Name (Surname, Forename)",
    "reg_group": "Registration group",
    "year_group": "Year group",
    "dob": "Date of birth",
    "date": "Date",
    "session": "Session (AM/PM)",
    "mark": "Mark",
    "am": "AM mark",
    "pm": "PM mark",
    "session_column": "A session (date + AM/PM in the header)",
    "day_column": "A day (date in the header, both marks in the cell)",
    "half_term": "Half-term name",
    "start": "Start date",
    "end": "End date",
    "kind": "Closure kind",
    "description": "Description",
}


def role_for_header(value: object) -> str | None:
    """The role a header names, or None; contact columns give 'contact<N>.<field>'."""
    key = header_key(value)
    if not key:
        return None
    match = _CONTACT_RE.match(key)
    if match:
        field = _CONTACT_ALIAS.get(match[2])
        return f"contact{match[1]}.{field}" if field else None
    return ALIAS_TO_ROLE.get(key)


_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ENDS_ID_RE = re.compile(r"(?:ID|Id)$")
_ID_WORDS = frozenset({"id", "ids", "upn", "adno", "admission", "admno"})


def looks_like_identity(value: object) -> bool:
    """A header that seems to name a child (UPN, ID, Adno, Admission) whatever its role."""
    text = str(value or "")
    key = header_key(text)
    if not key:
        return False
    if any(part in key for part in ("upn", "adno", "admission")):
        return True
    words = {w.lower() for w in _WORD_RE.findall(text)}
    return bool(words & _ID_WORDS) or _ENDS_ID_RE.search(text.strip()) is not None


def unusable_identity(value: object, role: str | None) -> bool:
    """An identity-looking header the importer cannot use on its own: never silently unread."""
    return role is None and looks_like_identity(value)
