"""The demo school: invented pupils, families, a year of registers and some casework.

Not part of the school's own use cases: it builds a database for trying the application out
(`attendance-desk --demo`), for the screenshots and for the benchmarks. It writes through the
services where casework is concerned, and straight into storage for the bulk of the marks.
"""

from __future__ import annotations

from attendance_desk.demo.school import create_demo_database

__all__ = ["create_demo_database"]
