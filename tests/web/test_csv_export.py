"""Report CSVs are safe to open in a spreadsheet: text a spreadsheet would run as a formula is escaped (OWASP CSV
injection), numbers — negative ones too — stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from nemt.services.reports import Report
from nemt.services.reports.export import csv_text, escape_csv, safe_cell
from nemt.web.common import csv_response

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)",
            "\t=1+1", "\r=1+1", "-", "=", "-Smith"]


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_starts_a_formula_is_escaped(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -5.25, 0, 12, Decimal("-12.50"), 3.5, "-12.5", "+3", "-1e5", "42"])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) == value


def test_other_cells():
    assert safe_cell(None) == "" and safe_cell(dt.date(2026, 11, 18)) == "2026-11-18"
    assert safe_cell("Denver") == "Denver" and safe_cell("a=b") == "a=b" and safe_cell("'=1") == "'=1"


def test_a_report_csv_escapes_formulas_and_keeps_numbers():
    report = Report("r", "R", "", ("county", "trips", "change"),
                    rows=[("=cmd|' /C calc'!A0", 3, -2), ("@evil", 0, -0.5), ("Denver", 1, None)])
    rows = list(csv.reader(io.StringIO(report.csv())))
    assert rows == [["county", "trips", "change"], ["'=cmd|' /C calc'!A0", "3", "-2"], ["'@evil", "0", "-0.5"],
                    ["Denver", "1", ""]]


def test_the_csv_response_escapes_any_text_it_is_given_once():
    raw = "name,amount\r\n=1+1,-3\r\n\"-x,y\",4\r\n"
    body = csv_response(raw, "x.csv").body.decode()
    assert list(csv.reader(io.StringIO(body))) == [["name", "amount"], ["'=1+1", "-3"], ["'-x,y", "4"]]
    assert escape_csv(body) == body  # already escaped: unchanged
    assert csv_text(["a"], []) == "a\r\n" and escape_csv("") == ""
