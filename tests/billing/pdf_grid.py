"""Reading a CMS-1500 PDF back onto the form's grid: every string pypdf finds, at its (line, column)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from nemt.billing.cms1500_grid import cell_of


def grid_pages(pdf: bytes) -> list[dict[tuple[int, int], str]]:
    """Per page, the text drawn at each grid cell (line, column), from the text matrix pypdf reports."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        cells: dict[tuple[int, int], str] = {}

        def visit(text, cm, tm, font, size, cells=cells):
            if text.strip():
                x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
                cells[cell_of(x, y)] = cells.get(cell_of(x, y), "") + text.strip()

        page.extract_text(visitor_text=visit)
        pages.append(cells)
    return pages


def at(cells: dict[tuple[int, int], str], line: int, column: int) -> str:
    return cells.get((line, column), "")
