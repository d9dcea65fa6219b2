"""`python -m bot.playground [--port N] [--db PATH]`: the playground without going through the main CLI."""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from bot import logs
from bot.cli_playground import add_options, cmd_playground
from bot.config import Settings


def main(argv: list[str] | None = None) -> int:
    """Parse the options, read settings (for names and knobs only) and run."""
    parser = argparse.ArgumentParser(prog="python -m bot.playground", description="The Invite Hygiene playground.")
    add_options(parser)
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"error: {error.errors()[0]['msg']}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    return cmd_playground(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
