"""Column names used by the common MIS products, and the role each one plays.

Headers are compared as `cells.header_key` (lower case, letters and digits only), so
'Reg. Group', 'REG GROUP' and 'reg_group' are the same header.
"""

from __future__ import annotations

import re

from attendance_desk.importers.cells import header_key

IDENTITY_ROLES = ("upn", "adno", "surname", "forename", "name")

# role -> the header keys that mean it
_ALIASES: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "uniquepupilnumber", "pupilupn"),
    "adno": ("adno", "admissionno", "admissionnumber", "admno", "admissionnum", "adminno"),
    "surname": ("legalsurname", "surname", "lastname", "familyname", "legallastname"),
    "forename": ("legalforename", "forename", "firstname", "givenname", "legalfirstname"),
    "preferred_forename": ("preferredforename", "preferredfirstname", "knownas"),
    "preferred_surname": ("preferredsurname", "preferredlastname"),
    "name": ("name", "pupilname", "fullname", "pupil", "student", "studentname", "learner"),
    "reg_group": (
        "reggroup",
        "registrationgroup",
        "form",
        "class",
        "regroup",
        "tutorgroup",
        "regclass",
    ),
    "year_group": ("year", "yeargroup", "ncyear", "yr", "curriculumyear"),
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
    "date": ("date", "attendancedate", "sessiondate", "registerdate", "day"),
    "session": ("session", "period", "amp", "ampm", "sessionname"),
    "mark": ("mark", "code", "rawmark", "attendancemark", "attendancecode", "markcode", "att"),
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
