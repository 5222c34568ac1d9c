"""`attendance-desk [--db PATH] policy [--preset clifford|clifton]`: show or set the policy."""

from __future__ import annotations

import argparse

from attendance_desk.commands import open_from_args
from attendance_desk.domain.policy import PRESETS, Policy


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("policy", help="show the attendance policy, or set a preset")
    parser.add_argument(
        "--preset", choices=PRESETS, default=None, help="replace the policy with a preset"
    )
    parser.add_argument("--json", action="store_true", help="print every setting as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.policy import get_policy, set_preset

    db = open_from_args(args, read_only=not args.preset)
    try:
        policy = set_preset(db, args.preset) if args.preset else get_policy(db)
    finally:
        db.close()
    if args.json:
        print(policy.to_json())
    else:
        print(describe(policy, changed=bool(args.preset)))
    return 0


def describe(policy: Policy, changed: bool = False) -> str:
    t = policy.thresholds
    fa = policy.falling_attendance
    lines = [
        f"{'Policy set to' if changed else 'Policy'}: {policy.name} (preset: {policy.preset})",
        f"Expected attendance: {t.expected_pct}%",
        "Bands:",
    ]
    for band in sorted(policy.bands, key=lambda b: b.lower_pct, reverse=True):
        owner = f", owner: {band.owner}" if band.owner else ""
        lines.append(f"  {band.id}: {band.label} ({policy.band_span(band)}, {band.colour}{owner})")
        lines += [f"    - {a}" for a in band.actions]
    point = (
        "end of the previous half term"
        if fa.monitoring_point == "half_term"
        else "end of the previous school week"
    )
    lines.append(f"Falling attendance: below {fa.line_pct}% and lower than at the {point}")
    lines.append(
        f"Persistent absence <= {t.persistent_pct}%; severe absence <= {t.severe_pct}%; "
        f"penalty threshold {t.penalty_sessions} unauthorised sessions in {t.penalty_weeks} school weeks"
    )
    return "\n".join(lines)
