"""Feed writers: each record goes to its source file and to the ground truth at once."""

from __future__ import annotations

import json
import re
from typing import IO, TYPE_CHECKING, Final, Self

from childindex.synth.records import COMMON_FIELDS

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

SCHOOL_FIELDS: Final = (
    *COMMON_FIELDS,
    "upn",
    "school_urn",
    "school_name",
    "school_phone",
    "start_date",
    "leave_date",
)
BENEFIT_FIELDS: Final = (
    *COMMON_FIELDS,
    "claimant_given_name",
    "claimant_family_name",
    "claimant_phone",
)
TRUTH_FIELDS: Final = ("source", "record_id", "person_key")
SHIELDED_FIELDS: Final = ("person_key",)
SOURCES: Final = ("health", "school", "benefit", "la")
OUTPUT_FILES: Final = (
    "health.jsonl",
    "school.csv",
    "benefit.csv",
    "la.jsonl",
    "truth.csv",
    "shielded.csv",
)
_BUFFER: Final = 1 << 20


class Raw(str):
    """Text that is already JSON, to be written as it stands."""

    __slots__ = ()


_UNSAFE: Final = re.compile(r'["\\\x00-\x1f]')
_encode_json: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


_COMMON_KEYS: Final = tuple(f'"{key}":' for key in COMMON_FIELDS)


def json_line(common: list[str], extra: dict[str, object], *, nulls: bool = False) -> str:
    """One JSON object on one line: the common fields (in order), then ``extra``.

    An empty common value is left out, or written as null with ``nulls``. Plain strings
    and flags are written directly; only text that needs escaping goes the slow way.
    """
    if nulls:
        parts = [
            f'{key}"{value}"' if value else f"{key}null"
            for key, value in zip(_COMMON_KEYS, common, strict=True)
        ]
    else:
        parts = [
            f'{key}"{value}"' for key, value in zip(_COMMON_KEYS, common, strict=True) if value
        ]
    plain = list(common)
    for key, value in extra.items():
        if type(value) is str:
            plain.append(value)
            parts.append(f'"{key}":"{value}"')
        elif type(value) is Raw:
            parts.append(f'"{key}":{value}')
        elif value is None:
            parts.append(f'"{key}":null')
        elif value is True:
            parts.append(f'"{key}":true')
        elif value is False:
            parts.append(f'"{key}":false')
        else:
            parts.append(f'"{key}":{_encode_json(value)}')
    if _UNSAFE.search("".join(plain)) is not None:  # something needs escaping: the slow way
        record: dict[str, object] = {
            key: value or None
            for key, value in zip(COMMON_FIELDS, common, strict=True)
            if value or nulls
        }
        record.update((k, json.loads(v) if type(v) is Raw else v) for k, v in extra.items())
        return _encode_json(record) + "\n"
    return "{" + ",".join(parts) + "}\n"


def raw_json(value: object) -> Raw:
    """Encode once, to be reused in many records."""
    return Raw(_encode_json(value))


def _csv_field(value: str) -> str:
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_line(values: list[str] | tuple[str, ...]) -> str:
    """One CSV row, quoted only where needed (as ``csv.writer`` does)."""
    line = ",".join(values)
    if '"' in line or "\n" in line or "\r" in line or line.count(",") != len(values) - 1:
        line = ",".join(map(_csv_field, values))
    return line + "\n"


class FeedWriter:
    """The open output files of one synthetic country, with record counts.

    Without ``header`` the CSV files get no header row (for parts to be appended).
    """

    def __init__(self, out: Path, *, header: bool = True) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self._files: list[IO[str]] = []
        self._health = self._open(out / "health.jsonl")
        self._la = self._open(out / "la.jsonl")
        self._school = self._open(out / "school.csv", SCHOOL_FIELDS if header else None)
        self._benefit = self._open(out / "benefit.csv", BENEFIT_FIELDS if header else None)
        self._truth = self._open(out / "truth.csv", TRUTH_FIELDS if header else None)
        self._shielded = self._open(out / "shielded.csv", SHIELDED_FIELDS if header else None)
        self.counts: dict[str, int] = dict.fromkeys(SOURCES, 0)

    def _open(self, path: Path, header: tuple[str, ...] | None = None) -> IO[str]:
        handle = path.open("w", encoding="utf-8", newline="", buffering=_BUFFER)
        self._files.append(handle)
        if header is not None:
            handle.write(csv_line(header))
        return handle

    def health(self, common: list[str], extra: dict[str, object], person_key: str) -> None:
        """One health record (JSON Lines): common values (missing ones left out), then more."""
        self._health.write(json_line(common, extra))
        self._truth.write(f"health,{common[0]},{person_key}\n")
        self.counts["health"] += 1

    def la(self, common: list[str], extra: dict[str, object], person_key: str) -> None:
        """One local-authority record (JSON Lines): missing common values are null."""
        self._la.write(json_line(common, extra, nulls=True))
        self._truth.write(f"la,{common[0]},{person_key}\n")
        self.counts["la"] += 1

    def school(self, row: list[str], person_key: str) -> None:
        """One school census row, in ``SCHOOL_FIELDS`` order."""
        self._school.write(csv_line(row))
        self._truth.write(f"school,{row[0]},{person_key}\n")
        self.counts["school"] += 1

    def benefit(self, row: list[str], person_key: str) -> None:
        """One child benefit row, in ``BENEFIT_FIELDS`` order."""
        self._benefit.write(csv_line(row))
        self._truth.write(f"benefit,{row[0]},{person_key}\n")
        self.counts["benefit"] += 1

    def shielded(self, person_key: str) -> None:
        """Record that this person is shielded."""
        self._shielded.write(person_key + "\n")

    def close(self) -> None:
        """Flush and close every file."""
        for handle in self._files:
            handle.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
