"""Qt widgets, models and dialogs. The UI calls services only; it never touches SQL or files."""

from attendance_desk.ui.compat import pin_singletons

pin_singletons()  # before any PySide6 call: see compat.py
