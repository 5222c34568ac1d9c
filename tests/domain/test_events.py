"""Event details (domain/events.py): the JSON round trip and the checks on what is recorded."""

from __future__ import annotations

from datetime import date

import pytest

from attendance_desk.domain.events import (
    AttendanceContract,
    EventDetailsError,
    EventKind,
    IllnessPlan,
    PhoneCall,
    details_from_dict,
    details_to_dict,
    kind_of,
)


def test_details_survive_the_json_round_trip() -> None:
    contract = AttendanceContract(date(2024, 10, 1), "terms", (date(2024, 10, 11),))
    data = details_to_dict(contract)
    assert data["signed"] == "2024-10-01" and data["review_dates"] == ["2024-10-11"]
    assert details_from_dict(EventKind.ATTENDANCE_CONTRACT, data) == contract
    assert kind_of(contract) is EventKind.ATTENDANCE_CONTRACT


def test_unknown_keys_from_older_files_are_ignored() -> None:
    data = {"started": "2024-09-02", "no_longer_a_field": 1}
    assert details_from_dict("frequent_illness_plan", data) == IllnessPlan(date(2024, 9, 2))


def test_what_cannot_be_right_is_refused_with_a_reason() -> None:
    with pytest.raises(EventDetailsError, match="'31/02/2024' is not a date"):
        details_from_dict(EventKind.ILLNESS_PLAN, {"started": "31/02/2024"})
    with pytest.raises(EventDetailsError, match="signed"):
        details_from_dict(EventKind.ATTENDANCE_CONTRACT, {"terms": "x"})
    with pytest.raises(EventDetailsError, match="'QQ' is not an attendance code"):
        details_from_dict(EventKind.PHONE_CALL, {**details_to_dict(PhoneCall("Mum")),
                                                 "suggested_code": "QQ"})  # fmt: skip
