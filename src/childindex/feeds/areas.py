"""The postcode-district mapping file: CSV ``postcode_district,la_code``.

Reference data, all or nothing: every line is checked, and the file loads only if none is
wrong (a half-loaded mapping would route children to the wrong authority). Each error names
the file, line and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from childindex.domain.source_record import RecordError

COLUMNS = ("postcode_district", "la_code")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_LA_CODE = re.compile(r"^[A-Za-z0-9]{1,10}$")


class AreasFileUnreadable(ValueError):
    """The file cannot be read as a mapping at all (not UTF-8, or the header is wrong)."""


@dataclass(slots=True)
class AreasFile:
    """What a mapping file holds: district -> local authority, and what was wrong."""

    areas: dict[str, str] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)


def standard_district(value: str) -> str:
    """A district as stored: upper case, no spaces (``" ls14 "`` -> ``"LS14"``)."""
    return "".join(value.upper().split())


def read_areas(data: bytes, *, filename: str) -> AreasFile:
    """Parse a mapping file; raise :class:`AreasFileUnreadable` if it is not one at all."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{filename}: not UTF-8 (byte {exc.start})"
        raise AreasFileUnreadable(msg) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None:
        msg = f"{filename}: empty file; expected a header {','.join(COLUMNS)}"
        raise AreasFileUnreadable(msg)
    names = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        msg = (
            f"{filename}: line 1: header lacks {', '.join(missing)} (expected {','.join(COLUMNS)})"
        )
        raise AreasFileUnreadable(msg)
    at = {c: names.index(c) for c in COLUMNS}
    result = AreasFile()
    first_line: dict[str, int] = {}
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue

        def bad(column: str, message: str, line: int = line) -> None:
            result.errors.append(RecordError(filename, line, column, message))

        if len(row) < len(names):
            bad(COLUMNS[0], f"expected {len(names)} columns, found {len(row)}")
            continue
        district = standard_district(row[at["postcode_district"]])
        la_code = row[at["la_code"]].strip()
        if not _DISTRICT.match(district):
            bad("postcode_district", f"{district!r} is not a postcode district (like LS14)")
            continue
        if not _LA_CODE.match(la_code):
            bad("la_code", "la_code must be 1 to 10 letters and digits")
            continue
        if district in result.areas and result.areas[district] != la_code:
            bad(
                "la_code",
                f"{district} is already mapped to {result.areas[district]} "
                f"on line {first_line[district]}",
            )
            continue
        result.areas[district] = la_code
        first_line.setdefault(district, line)
    return result
