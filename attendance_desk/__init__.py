"""Attendance Desk: the attendance officer's desktop application for an English primary school."""

__version__ = "0.1.0"
APP_NAME = "Attendance Desk"
