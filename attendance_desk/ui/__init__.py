"""Qt widgets, models and dialogs. The UI calls services only; it never touches SQL or files."""
