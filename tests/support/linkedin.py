"""LinkedIn export fixtures and builders shared by the import tests (unit, services, Slack, CLI)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "linkedin"
ZIP_NAME = "Basic_LinkedInDataExport_11-20-2026.zip"
INV_HEADER = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
OLD_HEADER = "From,To,Sent At,Message,Direction\n"
CONN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
DANA = "https://www.linkedin.com/in/dana-reyes-sales"


def fixture(name: str) -> bytes:
    """The bytes of a fixture file under tests/fixtures/linkedin."""
    return (FIXTURES / name).read_bytes()


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive in memory holding these files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
