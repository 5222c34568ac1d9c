"""The command line's CSV output is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from attendance_desk.commands.common import write_rows


def test_csv_cells_that_a_spreadsheet_would_run_are_written_as_text() -> None:
    out = io.StringIO()
    rows = [
        {"name": '=HYPERLINK("http://x","click")', "note": "+44 7700 900123", "n": -3},
        {"name": "@SUM(A1)", "note": "-1+1", "n": 2},
        {"name": "Ada Lovelace", "note": None, "n": 0},
    ]
    write_rows(rows, ["name", "note", "n"], "csv", out)
    read = list(csv.reader(io.StringIO(out.getvalue())))
    assert read[1] == ['\'=HYPERLINK("http://x","click")', "'+44 7700 900123", "-3"]
    assert read[2] == ["'@SUM(A1)", "'-1+1", "2"]
    assert read[3] == ["Ada Lovelace", "", "0"]


def test_json_output_keeps_the_values_as_they_are() -> None:
    out = io.StringIO()
    write_rows([{"name": "=1+1"}], ["name"], "json", out)
    assert '"=1+1"' in out.getvalue()
