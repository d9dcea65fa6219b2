"""An import's summary in words: the CLI prints the lines, the DM reply wraps them in blocks."""

from __future__ import annotations

from collections.abc import Iterable

from bot.importing.linkedin import RejectedRow
from bot.services.importing import ImportSummary

MAX_REJECTED_SHOWN = 10
MAX_UNMATCHED_SHOWN = 10


def summary_lines(summary: ImportSummary, *, escape=lambda text: text, code=lambda text: text,
                  invites_command: str = "/invites") -> list[str]:
    """The summary as lines of text; `escape` protects file text, `code` marks (and escapes) commands."""
    files = ", ".join(escape(f) for f in summary.files) or "the file"
    if summary.archive:
        files = f"{escape(summary.archive)} ({files})"
    head = f"Dry run of {files}: nothing was saved." if summary.dry_run else f"Imported {files}."
    lines = [head]
    lines.append(f"• {_n(summary.added, 'invite')} {_verb('added', summary.dry_run)}")
    # Only what happened: a line that says "0 … skipped" tells the reader nothing.
    if summary.already_there:
        lines.append(f"• {summary.already_there} already there")
    lines.append(f"• {_n(summary.accepted, 'invite')} {_verb('marked accepted', summary.dry_run)}")
    if summary.incoming_skipped:
        lines.append(
            f"• {_n(summary.incoming_skipped, 'incoming invitation')} skipped (only the ones you sent are logged)"
        )
    if summary.connections_without_invite:
        lines.append(f"• {summary.connections_without_invite} of {_n(summary.connections, 'connection')} matched no "
                     "invite of yours (connected another way, or never logged)")
    if summary.unmatched:
        shown = ", ".join(escape(label) for label in summary.unmatched[:MAX_UNMATCHED_SHOWN])
        more = f" and {len(summary.unmatched) - MAX_UNMATCHED_SHOWN} more" if len(summary.unmatched) > MAX_UNMATCHED_SHOWN else ""
        lines.append(
            f"• {len(summary.unmatched)} unmatched: {shown}{more}: a member-id or Sales Navigator link can't be "
            f"matched to a connection, so mark {'it' if len(summary.unmatched) == 1 else 'them'} yourself with "
            f"{code(f'{invites_command} accepted <name>')}"
        )
    lines.extend(rejected_lines(summary.rejected, escape=escape))
    if summary.hidden_skipped:
        lines.append(f"{_n(summary.hidden_skipped, 'connection')} with a hidden profile skipped.")
    lines.extend(escape(note) for note in summary.notes)
    return lines


def rejected_lines(rejected: Iterable[RejectedRow], *, escape=lambda text: text) -> list[str]:
    """`• N rows rejected` then at most ten of them with line numbers and reasons (nothing when none)."""
    rows = list(rejected)
    if not rows:
        return []
    shown = rows[:MAX_REJECTED_SHOWN]
    suffix = f" (the first {len(shown)} shown)" if len(rows) > len(shown) else ""
    lines = [f"• {_n(len(rows), 'row')} rejected{suffix}:"]
    for row in shown:
        where = f"line {row.line}" + (f" of {row.file}" if row.file else "")
        lines.append(f"    {escape(where)}: {escape(row.reason)}")
    return lines


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _verb(done: str, dry_run: bool) -> str:
    return f"would be {done}" if dry_run else done
