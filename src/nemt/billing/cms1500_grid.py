"""Where each box of the CMS-1500 (NUCC 02/12) is printed: the form's print grid, as (line, column, width).

The 1500 is laid out for a 10-pitch typewriter grid: 10 characters to the inch across (80 columns) and 6 lines to
the inch down (66 lines on an 11-inch sheet). The NUCC 1500 Reference Instruction Manual (02/12, "Optical Character
Recognition") asks for 10-pitch Pica or Courier type, upper case, all data inside the boxes, and no punctuation in
dates or amounts; it names the boxes but gives no print coordinates. The (line, column) of every box below is the
print-grid layout that practice-management software has long printed onto the red OCR form — cross-checked
against OpenEMR's 02/12 printer (``src/Billing/Hcfa1500.php``, GPL; only the coordinates, which are facts of the
form, were taken). Where no such reference fills a box we print, the position was derived from the grid and the
form's box outline and is marked "derived" below.

Courier at 12 points is exactly 7.2 points a character (0.6 em), i.e. 10 to the inch, so one string drawn at
column ``c`` fills columns ``c`` … ``c + len - 1``. The printer's alignment is set by the two margins (a payer's
test print may ask to move them); everything else follows from the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BOX", "COLUMN_PT", "FONT", "FONT_SIZE", "LINE_COLUMNS", "LINE_PT", "Box", "cell_of",
           "line_rows", "point_of"]

COLUMN_PT = 72 / 10  # 10 pitch
LINE_PT = 72 / 6  # 6 lines per inch
PAGE_HEIGHT_PT = 792.0  # US Letter (8.5 x 11 inches), the 1500's sheet: 66 lines of 1/6 inch
# Column 1 starts 1/4 inch in: 80 columns of 7.2 pt fit the 8.5-inch sheet with 1/4 inch either side.
LEFT_MARGIN_PT = 18.0
TOP_MARGIN_PT = 0.0  # line 1 is the sheet's first 1/6 inch
BASELINE_RISE_PT = 3.0  # the text's baseline sits a little above the bottom of its 1/6-inch line
FONT, FONT_SIZE = "Courier", 12


@dataclass(frozen=True)
class Box:
    """One printed field: its 1-based grid line and column and how many characters it holds."""

    line: int
    column: int
    width: int


# The boxes we print, by NUCC item number. Lines 43-54 are field 24, two lines per service line (see line_rows).
BOX: dict[str, Box] = {
    "carrier_name": Box(2, 41, 31),  # the carrier block, top right ("Enter the payer's name and address")
    "1_medicaid": Box(8, 8, 1),  # item 1: X in the Medicaid box
    "1a": Box(8, 50, 17),  # item 1a insured's ID number (the Medicaid ID)
    "2": Box(10, 1, 28),  # item 2 patient's name: last, first
    "3_mm": Box(10, 31, 2), "3_dd": Box(10, 34, 2), "3_yyyy": Box(10, 37, 4),  # item 3 birth date, 8 digits
    "3_sex_m": Box(10, 42, 1), "3_sex_f": Box(10, 47, 1),  # item 3 sex: one X
    "12": Box(29, 7, 17),  # item 12 signature ("SIGNATURE ON FILE")
    "12_date": Box(29, 37, 8),  # item 12 DATE — derived: the DATE part of item 12's row
    "19": Box(36, 1, 48),  # item 19 additional claim information
    "21_ind": Box(37, 42, 1),  # item 21 ICD indicator
    "21_a": Box(38, 3, 8),  # item 21 A
    "22_code": Box(38, 50, 10), "22_original": Box(38, 62, 15),  # item 22 resubmission code, original ref. no.
    "25": Box(56, 1, 15), "25_ein": Box(56, 19, 1),  # item 25 federal tax ID, EIN box
    "26": Box(56, 23, 14),  # item 26 patient's account no.
    "27_yes": Box(56, 38, 1),  # item 27 accept assignment: YES
    "28": Box(56, 52, 8),  # item 28 total charge (dollars, a space, cents)
    "31": Box(60, 1, 20), "31_date": Box(61, 6, 8),  # item 31 signature and date
    "32_name": Box(58, 23, 25), "32_street": Box(59, 23, 25), "32_city": Box(60, 23, 26),  # item 32
    "33_phone": Box(57, 66, 12),  # item 33 telephone (area code at 66)
    "33_name": Box(58, 50, 29), "33_street": Box(59, 50, 29), "33_city": Box(60, 50, 29),  # item 33
    "33a": Box(61, 50, 10),  # item 33a billing provider NPI
    "33b": Box(61, 63, 16),  # item 33b: qualifier ZZ and the taxonomy code
}

# Field 24 columns on a service line's unshaded (lower) line.
LINE_COLUMNS: dict[str, Box] = {
    "24a_from_mm": Box(0, 1, 2), "24a_from_dd": Box(0, 4, 2), "24a_from_yy": Box(0, 7, 2),
    "24b": Box(0, 19, 2),  # place of service
    "24c": Box(0, 22, 1),  # EMG — derived: the EMG column between 24B and 24D
    "24d_code": Box(0, 25, 6), "24d_modifiers": Box(0, 33, 11),  # up to four modifiers, two characters and a space
    "24e": Box(0, 45, 4),  # diagnosis pointer
    "24f": Box(0, 50, 8),  # charges (dollars, a space, cents)
    "24g": Box(0, 59, 3),  # days or units
    "24j": Box(0, 68, 10),  # rendering provider NPI
}
FIRST_SERVICE_LINE = 43  # the shaded (supplemental) line of service line 1; its unshaded line is 44
SERVICE_LINES = 6


def line_rows(n: int) -> tuple[int, int]:
    """The shaded and unshaded grid lines of service line ``n`` (1 … 6)."""
    if not 1 <= n <= SERVICE_LINES:
        raise ValueError("the 1500 has six service lines")
    shaded = FIRST_SERVICE_LINE + 2 * (n - 1)
    return shaded, shaded + 1


def point_of(line: int, column: int) -> tuple[float, float]:
    """The PDF point (x, baseline y, from the bottom-left corner) of a grid line and column."""
    x = LEFT_MARGIN_PT + (column - 1) * COLUMN_PT
    y = PAGE_HEIGHT_PT - TOP_MARGIN_PT - line * LINE_PT + BASELINE_RISE_PT
    return x, y


def cell_of(x: float, y: float) -> tuple[int, int]:
    """The grid line and column of a PDF point (the inverse of :func:`point_of`), for reading a form back."""
    column = round((x - LEFT_MARGIN_PT) / COLUMN_PT) + 1
    line = round((PAGE_HEIGHT_PT - TOP_MARGIN_PT + BASELINE_RISE_PT - y) / LINE_PT)
    return line, column
