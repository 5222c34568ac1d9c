"""The stored policy: Clifford by default, presets, and a school's own numbers kept exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attendance_desk.domain.policy import clifford
from attendance_desk.errors import UserError
from attendance_desk.services.policy import get_policy, save_policy, set_preset
from attendance_desk.storage.db import Database


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


def test_default_is_clifford_and_presets_switch(db: Database) -> None:
    assert get_policy(db) == clifford()
    set_preset(db, "clifton")
    assert get_policy(db).name == "Clifton (Support First)"
    set_preset(db, "clifford")
    assert get_policy(db).preset == "clifford"


def test_a_custom_policy_is_kept_exactly(db: Database) -> None:
    custom = clifford().with_thresholds(expected_pct=Decimal("95.75"), lateness_half_term=4)
    save_policy(db, custom)
    assert get_policy(db) == custom
    assert get_policy(db).thresholds.expected_pct == Decimal("95.75")


def test_bad_settings_are_a_user_error(db: Database) -> None:
    with pytest.raises(UserError):
        set_preset(db, "nonsense")
    with pytest.raises(UserError):
        save_policy(db, clifford().with_thresholds(expected_pct=Decimal(101)))
