"""Read LinkedIn's data export: ``Invitations.csv``, ``Connections.csv`` or the export zip.

Pure: bytes in, typed rows out. No database, no Slack, no clock. Everything a member can upload
either parses into a :class:`ParsedExport` (good rows, rejected rows with line number and reason,
notes about the layout) or is refused with :class:`UnsupportedFile`, whose message says what was
wrong and what the app accepts. No other exception escapes :func:`parse_upload`.

Format decisions (see /work/shared/LINKEDIN_EXPORT.md for the formats themselves):

* Files are recognised by their header row, wherever it is in the first rows (the Connections.csv
  preamble is skipped that way), never by name and never by skipping a fixed count of lines.
  Column names are compared trimmed, case-insensitively, ignoring spaces, ``_`` and other
  punctuation, so ``Sent At``, ``sent_at`` and ``SENTAT`` are the same column. Columns are found
  by name, so a re-ordered or widened sheet still reads. Trailing empty cells (spreadsheet padding)
  are ignored.
* Separators: ``,`` (LinkedIn) and, for spreadsheet re-saves in European locales, ``;`` or tab,
  whichever separator yields a known header first.
* Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), else Windows-1252.
* ``Sent At`` without a zone (every LinkedIn form) is returned NAIVE: local wall time of the
  member, whose zone the caller applies. Forms with a zone (``… UTC``, ``Z``, ``+02:00``) are
  returned AWARE in UTC.
* Two-digit years are 20xx (LinkedIn started in 2003); dates before 2003 are rejected.
* Slash dates are month/day/year (LinkedIn's own ``3/4/26, 9:07 AM`` always is). A spreadsheet
  re-save (four-digit year, or no comma before the time) can be day/month/year: when such values in
  one file show a first number over 12 and none shows a second number over 12, the whole file's
  re-saved slash dates are read day-first (and a note says so). ``04.03.2026`` is always day-first.
* ``InvitationRow.name`` is the other person: ``To`` for OUTGOING rows, ``From`` for INCOMING rows.
  URLs are returned as written (the caller normalises them to prospect keys); empty means None.
* Connections rows whose first name, last name and URL are all empty are hidden or closed profiles:
  counted in ``hidden_skipped``. Rows whose every cell is empty are skipped silently.
  ``Email Address`` is not kept.
* Line numbers are physical 1-based line numbers in the file where the row starts.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

__all__ = [
    "ACCEPTED",
    "MAX_FILE_BYTES",
    "ConnectionRow",
    "InvitationRow",
    "ParsedExport",
    "RejectedRow",
    "UnsupportedFile",
    "parse_connected_on",
    "parse_connections_csv",
    "parse_invitations_csv",
    "parse_sent_at",
    "parse_upload",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
ACCEPTED = (
    "Invitations.csv, Connections.csv from LinkedIn's data export, "
    "or the export .zip (Basic_/Complete_LinkedInDataExport_….zip)"
)
INVITATIONS_HEADER = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl"
CONNECTIONS_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"

HEADER_SCAN_ROWS = 25  # non-blank rows searched for the header (the real preamble has 2)
QUOTE_MAX = 60  # longest quoted value in a message
MAX_REJECTED_ROWS = 1000  # past this, a file with more bad rows than good ones is refused
FIRST_YEAR = 2003  # LinkedIn launched in May 2003
_ZIP_CHUNK = 64 * 1024
_WANTED_MEMBERS = ("invitations.csv", "connections.csv")

Direction = Literal["OUTGOING", "INCOMING"]
Kind = Literal["invitations", "connections"]
_CANONICAL = {"invitations": "Invitations.csv", "connections": "Connections.csv"}


class UnsupportedFile(ValueError):
    """The upload is not a file this importer reads. ``problem`` is the specific reason."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"{problem}. This app reads {ACCEPTED}.")


@dataclass(frozen=True)
class InvitationRow:
    line: int
    name: str  # the other person: To for OUTGOING, From for INCOMING
    sent_at: datetime  # naive local wall time; aware UTC only when the file gave a zone
    direction: Direction
    message: str
    invitee_url: str | None
    inviter_url: str | None


@dataclass(frozen=True)
class ConnectionRow:
    line: int
    first_name: str
    last_name: str
    url: str | None
    company: str
    position: str
    connected_on: date


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str
    file: str = field(default="", compare=False)  # which file of an archive; not part of equality


@dataclass
class ParsedExport:
    invitations: list[InvitationRow] = field(default_factory=list)
    connections: list[ConnectionRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # file names read (member paths inside a zip)
    hidden_skipped: int = 0
    # file name -> "invitations-7col" | "invitations-5col" | "connections" | "connections-no-url"
    layouts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # human-readable remarks on layout and encoding
    archive: str | None = None  # the zip's name when the upload was an archive

    @property
    def outgoing(self) -> list[InvitationRow]:
        return [row for row in self.invitations if row.direction == "OUTGOING"]

    @property
    def incoming(self) -> list[InvitationRow]:
        return [row for row in self.invitations if row.direction == "INCOMING"]

    def merge(self, other: ParsedExport) -> None:
        self.invitations.extend(other.invitations)
        self.connections.extend(other.connections)
        self.rejected.extend(other.rejected)
        self.files.extend(other.files)
        self.hidden_skipped += other.hidden_skipped
        self.layouts.update(other.layouts)
        self.notes.extend(other.notes)


# --------------------------------------------------------------------------------------------
# Entry points


def parse_upload(filename: str, data: bytes, *, max_bytes: int | None = None) -> ParsedExport:
    """Parse an uploaded file, recognised by its content: a zip archive or one of the two CSVs.

    `max_bytes` bounds the file and what an archive unpacks to (default MAX_FILE_BYTES, the bound
    of a Slack upload; the command line allows more)."""
    limit = max_bytes or MAX_FILE_BYTES
    _check_size(len(data), "the file", limit)
    name = _basename(filename)
    if not data:
        raise UnsupportedFile("the file is empty")
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _parse_zip(name or "the archive", data, limit)
    try:
        text, encoding = _decode(data)
        return _parse_text(text, source=name, want=None, encoding=encoding)
    except UnsupportedFile as exc:
        if name.lower().endswith(".zip"):
            raise UnsupportedFile(
                f"{name!r} is not a readable zip archive (truncated or corrupt?): {exc.problem}"
            ) from None
        raise


def parse_invitations_csv(text: str, *, source: str = "Invitations.csv") -> ParsedExport:
    """Parse the text of an Invitations.csv (7-column or older 5-column layout)."""
    return _parse_text(_check_text(text), source=source, want="invitations", encoding=None)


def parse_connections_csv(text: str, *, source: str = "Connections.csv") -> ParsedExport:
    """Parse the text of a Connections.csv (with or without preamble and URL column)."""
    return _parse_text(_check_text(text), source=source, want="connections", encoding=None)


# --------------------------------------------------------------------------------------------
# Bytes: size, decoding, archives


def _size(n: int) -> str:
    """20 MB, 20.0 MB (just over), 12.5 KB, 300 bytes."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n // scale} {unit}" if n % scale == 0 else f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _over_limit(what: str, n: int, limit: int) -> str:
    return f"{what} {_size(n)}, over the {_size(limit)} limit"


def _check_size(n: int, what: str, limit: int) -> None:
    if n > limit:
        raise UnsupportedFile(_over_limit(f"{what} is", n, limit))


def _check_text(text: str) -> str:
    _check_size(len(text), "the text", MAX_FILE_BYTES)
    if "\x00" in text:
        raise UnsupportedFile("the file holds NUL characters: it is binary data, not a CSV")
    return text.removeprefix("\ufeff")


def _basename(filename: str) -> str:
    return re.split(r"[\\/]", filename or "")[-1].strip()


_BINARY_KINDS = (
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls): save it as CSV"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive: upload the .zip LinkedIn sent, or the CSV inside it"),
    (b"Rar!", "a RAR archive: upload the .zip LinkedIn sent, or the CSV inside it"),
    (b"7z\xbc\xaf", "a 7-Zip archive: upload the .zip LinkedIn sent, or the CSV inside it"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def _decode(data: bytes) -> tuple[str, str | None]:
    """Return the text and, when it was not UTF-8, the encoding used."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UnsupportedFile("the file starts like UTF-16 text but is not valid UTF-16") from None
    else:
        for magic, kind in _BINARY_KINDS:
            if data.startswith(magic):
                raise UnsupportedFile(f"the file is {kind}, not a CSV")
        if b"\x00" in data:
            raise UnsupportedFile("the file holds NUL bytes: it is binary data, not a CSV")
        try:
            text, encoding = data.decode("utf-8-sig"), None
        except UnicodeDecodeError:
            try:
                text, encoding = data.removeprefix(codecs.BOM_UTF8).decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                raise UnsupportedFile(
                    "the file is not text (neither UTF-8 nor Windows-1252): it looks like binary data"
                ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise UnsupportedFile("the file holds NUL characters: it is binary data, not a CSV")
    return text, encoding


def _parse_zip(name: str, data: bytes, limit: int) -> ParsedExport:
    members = _read_zip_members(name, data, limit)
    result = ParsedExport(archive=name)
    for member, raw, extra_copies in members:
        try:
            text, encoding = _decode(raw)
            parsed = _parse_text(text, source=member, want=None, encoding=encoding)
        except UnsupportedFile as exc:
            raise UnsupportedFile(f"{member} in {name}: {exc.problem}") from None
        result.merge(parsed)
        if extra_copies:
            result.notes.append(
                f"{name}: read {member}; ignored other copies: {', '.join(repr(c) for c in extra_copies)}"
            )
    found = {_basename(m).lower() for m, _, _ in members}
    for wanted in _WANTED_MEMBERS:
        if wanted not in found:
            result.notes.append(f"{name}: no {_CANONICAL[wanted.removesuffix('.csv')]} in the archive")
    return result


def _read_zip_members(name: str, data: bytes, limit: int) -> list[tuple[str, bytes, list[str]]]:
    """Return (member name, bytes, names of ignored duplicates) for each file this app reads.

    Only zipfile's own calls sit in the try: its failure modes on hostile input are many and
    open-ended (BadZipFile, EOFError, zlib/lzma errors, NotImplementedError, RuntimeError, ...),
    so any exception there means "corrupt archive". Our own logic stays outside it.
    """
    problem: str | None = None
    out: list[tuple[str, bytes, list[str]]] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            chosen, duplicates = _choose_members(name, infos)
            declared = sum(info.file_size for info in chosen)
            if declared > limit:
                problem = _over_limit(f"{name} would unpack to", declared, limit)
            else:
                budget = limit
                for info in chosen:
                    if info.flag_bits & 0x1:
                        problem = f"{info.filename} in {name} is password-protected"
                        break
                    raw = _read_capped(archive, info, budget)
                    if raw is None:
                        problem = (
                            f"{name} unpacks to more than {_size(limit)}, more than it declares"
                        )
                        break
                    budget -= len(raw)
                    out.append((info.filename, raw, duplicates.get(info.filename, [])))
    except UnsupportedFile:
        raise
    except Exception as exc:  # zipfile's open-ended failure modes, see the docstring
        raise UnsupportedFile(
            f"{name} is not a readable zip archive, it may be truncated or corrupt ({type(exc).__name__})"
        ) from None
    if problem:
        raise UnsupportedFile(problem)
    return out


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes | None:
    chunks = []
    total = 0
    with archive.open(info) as handle:
        while chunk := handle.read(min(_ZIP_CHUNK, budget - total + 1)):
            total += len(chunk)
            if total > budget:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _choose_members(
    name: str, infos: list[zipfile.ZipInfo]
) -> tuple[list[zipfile.ZipInfo], dict[str, list[str]]]:
    chosen: list[zipfile.ZipInfo] = []
    duplicates: dict[str, list[str]] = {}
    for wanted in _WANTED_MEMBERS:
        matches = [i for i in infos if _basename(i.filename).lower() == wanted]
        if not matches:
            continue
        # the shallowest copy wins (LinkedIn puts them at the root), then the first by name
        matches.sort(key=lambda i: (i.filename.replace("\\", "/").count("/"), i.filename))
        chosen.append(matches[0])
        duplicates[matches[0].filename] = [m.filename for m in matches[1:]]
    if not chosen:
        names = [i.filename for i in infos]
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            raise UnsupportedFile(f"{name} is an Excel workbook (.xlsx), not a CSV: save it as CSV")
        if not names:
            raise UnsupportedFile(
                f"{name} is an empty zip archive: looked for Invitations.csv and Connections.csv"
            )
        sample = ", ".join(_quote(n) for n in names[:5])
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        raise UnsupportedFile(
            f"{name} holds neither Invitations.csv nor Connections.csv "
            f"(looked in every folder; found {sample}{more})"
        )
    return chosen, duplicates


# --------------------------------------------------------------------------------------------
# CSV rows and headers


@dataclass(frozen=True)
class _Raw:
    start: int  # physical line where the row starts
    end: int  # physical line where it ends
    cells: list[str] | None  # None when the csv module could not read the row
    error: str = ""


@dataclass(frozen=True)
class _Header:
    kind: Kind
    columns: dict[str, int]  # field -> index
    width: int
    cells: list[str]


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, as `io.StringIO(text, newline="")` gives them, one at a time.

    StringIO copies the whole text at four bytes a character (150 MB for a 250,000-row export);
    slicing at each LF holds one line at a time. Line ends of a bare CR (old Mac re-saves) go the
    StringIO way."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        yield from io.StringIO(text, newline="")
        return
    find, start, size = text.find, 0, len(text)
    while start < size:
        end = find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _rows(text: str, delimiter: str) -> Iterator[_Raw]:
    reader = csv.reader(_lines(text), delimiter=delimiter)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # e.g. a field over the csv module's size limit after an unclosed quote; the reader
            # resumes on the next line
            yield _Raw(previous + 1, max(reader.line_num, previous + 1), None, str(exc))
            if reader.line_num <= previous:
                return
            previous = reader.line_num
            continue
        yield _Raw(previous + 1, max(reader.line_num, previous + 1), cells)
        previous = reader.line_num


def _is_blank(cells: list[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _column_key(cell: str) -> str:
    return re.sub(r"[^0-9a-z]", "", cell.replace("\ufeff", "").strip().casefold())


_INVITATION_COLUMNS = {
    "from": "from",
    "to": "to",
    "sentat": "sent_at",
    "message": "message",
    "direction": "direction",
    "inviterprofileurl": "inviter_url",
    "inviteeprofileurl": "invitee_url",
}
_INVITATION_REQUIRED = {"from", "to", "sent_at", "direction"}
_CONNECTION_COLUMNS = {
    "firstname": "first_name",
    "lastname": "last_name",
    "url": "url",
    "profileurl": "url",
    "emailaddress": "email",
    "company": "company",
    "position": "position",
    "connectedon": "connected_on",
}
_CONNECTION_REQUIRED = {"first_name", "connected_on"}


def _match_header(cells: list[str]) -> _Header | None:
    keys = [_column_key(cell) for cell in cells]
    width = len(keys)
    while width and not keys[width - 1]:
        width -= 1
    kinds: tuple[tuple[Kind, dict[str, str], set[str]], ...] = (
        ("invitations", _INVITATION_COLUMNS, _INVITATION_REQUIRED),
        ("connections", _CONNECTION_COLUMNS, _CONNECTION_REQUIRED),
    )
    for kind, names, required in kinds:
        columns: dict[str, int] = {}
        for index, key in enumerate(keys[:width]):
            if key in names:
                columns.setdefault(names[key], index)
        if required <= columns.keys():
            return _Header(kind, columns, width, cells[:width])
    return None


def _find_header(text: str) -> tuple[_Header, str, Iterator[_Raw]] | None:
    """Find the header row; return it, the delimiter and the row iterator positioned after it."""
    for delimiter in (",", ";", "\t"):
        rows = _rows(text, delimiter)
        seen = 0
        for raw in rows:
            if raw.cells is None:
                break
            if _is_blank(raw.cells):
                continue
            header = _match_header(raw.cells) if len(raw.cells) <= 100 else None
            if header is not None:
                return header, delimiter, rows
            seen += 1
            if seen >= HEADER_SCAN_ROWS:
                break
    return None


def _first_line(text: str) -> str:
    for line in text[:4096].splitlines():
        if line.strip():
            return line.strip()
    return ""


def _quote(value: str) -> str:
    """Quote a value for a message: control characters escaped, at most QUOTE_MAX characters."""
    value = value.replace("\r\n", "\n")
    shown = "".join(ch if unicodedata.category(ch)[0] != "C" else repr(ch)[1:-1] for ch in value)
    if len(shown) > QUOTE_MAX:
        shown = shown[: QUOTE_MAX - 1] + "…"
    return f"'{shown}'"


def _expected(want: Kind | None) -> str:
    if want == "invitations":
        return f"the Invitations.csv header '{INVITATIONS_HEADER}'"
    if want == "connections":
        return f"the Connections.csv header '{CONNECTIONS_HEADER}'"
    return (
        f"a header like '{INVITATIONS_HEADER}' (Invitations.csv) or '{CONNECTIONS_HEADER}' (Connections.csv)"
    )


def _parse_text(text: str, *, source: str, want: Kind | None, encoding: str | None) -> ParsedExport:
    if not text.strip():
        raise UnsupportedFile("the file is empty")
    found = _find_header(text)
    if found is None:
        raise UnsupportedFile(
            f"found no known header row (the file starts {_quote(_first_line(text))}); "
            f"expected {_expected(want)}"
        )
    header, delimiter, rows = found
    if want is not None and header.kind != want:
        raise UnsupportedFile(
            f"{source or 'the file'} holds the {_CANONICAL[header.kind]} header "
            f"{_quote(','.join(header.cells))}; expected {_expected(want)}"
        )
    source = source or _CANONICAL[header.kind]
    result = ParsedExport(files=[source])
    if encoding:
        result.notes.append(f"{source}: not UTF-8, read as {encoding}")
    if delimiter != ",":
        shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
        result.notes.append(f"{source}: columns separated by {shown} (spreadsheet re-save)")
    if header.kind == "invitations":
        _parse_invitations(header, rows, source, result)
    else:
        _parse_connections(header, rows, source, result)
    _check_rejections(
        result, len(result.invitations) + len(result.connections) + result.hidden_skipped, source
    )
    return result


def _data_rows(
    header: _Header, rows: Iterable[_Raw], source: str, result: ParsedExport
) -> Iterator[tuple[int, list[str]]]:
    """Check column counts; yield (line, cells) of the rows worth parsing. Blank rows vanish."""
    good = 0
    for raw in rows:
        if raw.cells is None:
            reason = f"unreadable CSV row: {raw.error}"
            if "field limit" in raw.error:
                reason = f"a cell runs over {csv.field_size_limit()} characters (is a quote left open?)"
            result.rejected.append(RejectedRow(raw.start, reason, source))
            _check_rejections(result, good, source, early=True)
            continue
        cells = raw.cells
        if _is_blank(cells):
            continue
        count = len(cells)
        while count > header.width and not cells[count - 1].strip():
            count -= 1
        if count != header.width:
            reason = f"expected {header.width} columns, found {count}"
            if raw.end > raw.start:
                reason += f" (the row runs from line {raw.start} to line {raw.end}: is a quote left open?)"
            result.rejected.append(RejectedRow(raw.start, reason, source))
            _check_rejections(result, good, source, early=True)
            continue
        good += 1
        yield raw.start, cells


def _check_rejections(result: ParsedExport, accepted: int, source: str, *, early: bool = False) -> None:
    """Refuse a file that is mostly unreadable rather than report thousands of bad rows.

    Checked once the file is read; while reading (``early``) only at ten times the limit, which
    bounds the work and memory a garbage file costs without refusing a file whose bad rows come first.
    """
    rejected = len(result.rejected)
    if rejected > MAX_REJECTED_ROWS * (10 if early else 1) and rejected > accepted:
        first = result.rejected[0]
        raise UnsupportedFile(
            f"{source}: over {MAX_REJECTED_ROWS} rows could not be read, more than could "
            f"(the first, line {first.line}: {first.reason})"
        )


def _cell(cells: list[str], header: _Header, name: str) -> str:
    index = header.columns.get(name)
    return "" if index is None else cells[index]


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def _url(value: str) -> str | None:
    value = value.strip()
    return value or None


def _parse_invitations(header: _Header, rows: Iterable[_Raw], source: str, result: ParsedExport) -> None:
    """Rows are read one at a time: a big export never holds all its cells and all its rows at once.

    A re-saved date (15/03/2026) is read day or month first by what the whole file holds, so a row
    whose Sent At is not LinkedIn's own form waits for the end of the file; LinkedIn's own form
    (every row of a real export) is always month first and is parsed at once. The rows come out
    in the file's order, the rejections as they always did (bad column counts first)."""
    has_urls = {"inviter_url", "invitee_url"} <= header.columns.keys()
    result.layouts[source] = "invitations-7col" if has_urls else "invitations-5col"
    if not has_urls:
        result.notes.append(
            f"{source}: older layout without profile URLs, invitations can be matched by name only"
        )
    sent_index = header.columns.get("sent_at")
    problems: list[RejectedRow] = []
    waiting: list[tuple[int, list[str]]] = []
    for line, cells in _data_rows(header, rows, source, result):
        raw_sent = "" if sent_index is None else cells[sent_index]
        sent_at = _linkedin_sent_at(raw_sent)
        if sent_at is None and raw_sent.strip():
            waiting.append((line, cells))
            continue
        _invitation(header, line, cells, source, result, problems, sent_at=sent_at, day_first=False)
    if waiting:
        day_first = _day_first(_cell(cells, header, "sent_at") for _, cells in waiting)
        if day_first:
            result.notes.append(f"{source}: re-saved dates like 15/03/2026 read as day/month/year")
        for line, cells in waiting:
            _invitation(header, line, cells, source, result, problems, sent_at=None, day_first=day_first)
        result.invitations.sort(key=lambda row: row.line)
        problems.sort(key=lambda row: row.line)
    result.rejected.extend(problems)


def _invitation(header: _Header, line: int, cells: list[str], source: str, result: ParsedExport,
                rejected: list[RejectedRow], *, sent_at: datetime | None, day_first: bool) -> None:
    """One data row: an InvitationRow in `result`, or its problems in `rejected`."""
    has_urls = "inviter_url" in header.columns and "invitee_url" in header.columns
    problems = []
    direction = _cell(cells, header, "direction").strip().upper()
    if not direction:
        problems.append("Direction is empty (expected OUTGOING or INCOMING)")
    elif direction not in ("OUTGOING", "INCOMING"):
        problems.append(
            f"Direction {_quote(_cell(cells, header, 'direction'))} is not OUTGOING or INCOMING"
        )
    raw_sent = _cell(cells, header, "sent_at")
    if sent_at is None:
        if not raw_sent.strip():
            problems.append("Sent At is empty")
        else:
            sent_at, why = parse_sent_at(raw_sent, day_first=day_first)
            if sent_at is None:
                problems.append(f"Sent At {_quote(raw_sent)} {why}")
    sender, recipient = _text(_cell(cells, header, "from")), _text(_cell(cells, header, "to"))
    inviter_url = _url(_cell(cells, header, "inviter_url"))
    invitee_url = _url(_cell(cells, header, "invitee_url"))
    if direction == "INCOMING":
        name, other_url, other_column = sender, inviter_url, "From"
    else:
        name, other_url, other_column = recipient, invitee_url, "To"
    if direction in ("OUTGOING", "INCOMING") and not name and not other_url:
        url_column = "inviterProfileUrl" if direction == "INCOMING" else "inviteeProfileUrl"
        problems.append(f"{other_column} is empty" + (f" and so is {url_column}" if has_urls else ""))
    if problems or sent_at is None:
        rejected.append(RejectedRow(line, "; ".join(problems), source))
        return
    message = _cell(cells, header, "message").replace("\r\n", "\n").replace("\r", "\n")
    result.invitations.append(
        InvitationRow(
            line=line,
            name=name,
            sent_at=sent_at,
            direction="OUTGOING" if direction == "OUTGOING" else "INCOMING",
            message=message.strip(),
            invitee_url=invitee_url,
            inviter_url=inviter_url,
        )
    )


def _parse_connections(header: _Header, rows: Iterable[_Raw], source: str, result: ParsedExport) -> None:
    has_url = "url" in header.columns
    result.layouts[source] = "connections" if has_url else "connections-no-url"
    if not has_url:
        result.notes.append(f"{source}: older layout without a URL column, matched by name only")
    good = list(_data_rows(header, rows, source, result))
    day_first = _day_first(_cell(cells, header, "connected_on") for _, cells in good)
    if day_first:
        result.notes.append(f"{source}: re-saved dates like 15/03/2026 read as day/month/year")
    for line, cells in good:
        first = _text(_cell(cells, header, "first_name"))
        last = _text(_cell(cells, header, "last_name"))
        url = _url(_cell(cells, header, "url"))
        if not (first or last or url):
            result.hidden_skipped += 1
            continue
        raw_date = _cell(cells, header, "connected_on")
        if not raw_date.strip():
            result.rejected.append(RejectedRow(line, "Connected On is empty", source))
            continue
        connected_on, why = parse_connected_on(raw_date, day_first=day_first)
        if connected_on is None:
            result.rejected.append(RejectedRow(line, f"Connected On {_quote(raw_date)} {why}", source))
            continue
        result.connections.append(
            ConnectionRow(
                line=line,
                first_name=first,
                last_name=last,
                url=url,
                company=_text(_cell(cells, header, "company")),
                position=_text(_cell(cells, header, "position")),
                connected_on=connected_on,
            )
        )


# --------------------------------------------------------------------------------------------
# Dates

_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_TIME = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,6})?)?"
    r"(?:\s?(?P<ampm>[AaPp])\.?[Mm]\.?)?"
)
_SLASH = re.compile(
    rf"(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<year>\d{{4}}|\d{{2}})(?:(?:(?P<comma>,)\s?|\s){_TIME})?",
    re.ASCII,
)
_DOTTED = re.compile(
    rf"(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}}|\d{{2}})(?:(?:,\s?|\s){_TIME})?",
    re.ASCII,
)
_ISO = re.compile(
    rf"(?P<year>\d{{4}})[-/](?P<month>\d{{1,2}})[-/](?P<day>\d{{1,2}})(?:(?:T|\s){_TIME})?"
    r"(?:\s?(?P<zone>UTC|GMT|Z|[+-]\d{2}:?\d{2}))?",
    re.IGNORECASE | re.ASCII,
)
_DAY_MONTH_NAME = re.compile(
    r"(?P<day>\d{1,2})[\s-](?P<month>[A-Za-z]{3,9})\.?[\s-](?P<year>\d{4}|\d{2})", re.ASCII
)
_MONTH_NAME_DAY = re.compile(r"(?P<month>[A-Za-z]{3,9})\.?\s(?P<day>\d{1,2}),?\s(?P<year>\d{4})", re.ASCII)
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

_SENT_AT_EXAMPLE = "is not a date like 3/4/26, 9:07 AM"
_CONNECTED_ON_EXAMPLE = "is not a date like 08 Feb 2026"


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _is_linkedin_form(match: re.Match[str]) -> bool:
    """LinkedIn's own ``3/4/26, 9:07 AM``: always month first."""
    return len(match["year"]) == 2 and match["comma"] is not None


def _day_first(values: Iterable[str]) -> bool:
    """Whether a file's re-saved slash dates are day/month/year (see the module docstring)."""
    day_first = month_first = False
    for value in values:
        if _LINKEDIN_SENT_AT.fullmatch(value):
            continue  # LinkedIn's own form: always month first
        match = _SLASH.fullmatch(_clean(value))
        if match is None or _is_linkedin_form(match):
            continue
        a, b = int(match["a"]), int(match["b"])
        if a > 12 and 1 <= b <= 12:
            day_first = True
        elif b > 12 and 1 <= a <= 12:
            month_first = True
    return day_first and not month_first


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _month(name: str) -> int | None:
    lowered = name.lower()
    for index, full in enumerate(_MONTHS, start=1):
        if len(lowered) >= 3 and full.startswith(lowered):
            return index
    return None


def _clock(match: re.Match[str]) -> tuple[int, int, int] | None:
    if match["hour"] is None:
        return 0, 0, 0
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _zone(text: str | None) -> timezone | None:
    if text is None:
        return None
    if text.upper() in ("UTC", "GMT", "Z"):
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError("bad offset")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


def _date_parts(value: str, *, day_first: bool) -> tuple[int, int, int, re.Match[str]] | None:
    """(year, month, day, match) for the numeric forms, or None."""
    if match := _SLASH.fullmatch(value):
        a, b = int(match["a"]), int(match["b"])
        month, day = (b, a) if day_first and not _is_linkedin_form(match) else (a, b)
        return _year(match["year"]), month, day, match
    if match := _DOTTED.fullmatch(value):
        return _year(match["year"]), int(match["month"]), int(match["day"]), match
    if match := _ISO.fullmatch(value):
        return int(match["year"]), int(match["month"]), int(match["day"]), match
    return None


# LinkedIn's own form, the one every current export writes (``3/4/26, 9:07 AM``, U+202F or a
# space before AM/PM): read by one match, without the clean-up and the alternatives of the general
# parser. Anything else, or anything this finds invalid, goes the general way (for its reason).
_LINKEDIN_SENT_AT = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d\d), (\d{1,2}):(\d\d)[ \u202f]([AP])M\s*", re.ASCII)


def _linkedin_sent_at(value: str) -> datetime | None:
    match = _LINKEDIN_SENT_AT.fullmatch(value)
    if match is None:
        return None
    month, day, year, hour, minute, half = match.groups()
    hour_12 = int(hour)
    if not 1 <= hour_12 <= 12 or 2000 + int(year) < FIRST_YEAR:
        return None
    try:
        return datetime(2000 + int(year), int(month), int(day), hour_12 % 12 + (12 if half == "P" else 0), int(minute))
    except ValueError:
        return None


def parse_sent_at(value: str, *, day_first: bool = False) -> tuple[datetime | None, str]:
    """Parse a ``Sent At`` cell: (datetime, "") or (None, why it is not a date)."""
    fast = _linkedin_sent_at(value)
    if fast is not None:
        return fast, ""
    return parse_sent_at_general(value, day_first=day_first)


def parse_sent_at_general(value: str, *, day_first: bool = False) -> tuple[datetime | None, str]:
    """`parse_sent_at` for every accepted form (LinkedIn's own, re-saved, ISO-like)."""
    cleaned = _clean(value)
    parts = _date_parts(cleaned, day_first=day_first)
    if parts is None:
        return None, _SENT_AT_EXAMPLE
    year, month, day, match = parts
    clock = _clock(match)
    if clock is None:
        return None, _SENT_AT_EXAMPLE
    try:
        zone = _zone(match.groupdict().get("zone"))
        result = datetime(year, month, day, *clock, tzinfo=zone)
    except ValueError:
        return None, _SENT_AT_EXAMPLE
    if year < FIRST_YEAR:
        return None, f"is before {FIRST_YEAR}, when LinkedIn started"
    return (result.astimezone(UTC) if zone is not None else result), ""


def parse_connected_on(value: str, *, day_first: bool = False) -> tuple[date | None, str]:
    """Parse a ``Connected On`` cell: (date, "") or (None, why it is not a date)."""
    cleaned = _clean(value)
    try:
        if (match := _DAY_MONTH_NAME.fullmatch(cleaned)) or (match := _MONTH_NAME_DAY.fullmatch(cleaned)):
            month = _month(match["month"])
            if month is None:
                return None, _CONNECTED_ON_EXAMPLE
            result = date(_year(match["year"]), month, int(match["day"]))
        else:
            parts = _date_parts(cleaned, day_first=day_first)
            if parts is None or _clock(parts[3]) is None:
                return None, _CONNECTED_ON_EXAMPLE
            result = date(parts[0], parts[1], parts[2])
    except ValueError:
        return None, _CONNECTED_ON_EXAMPLE
    if result.year < FIRST_YEAR:
        return None, f"is before {FIRST_YEAR}, when LinkedIn started"
    return result, ""
