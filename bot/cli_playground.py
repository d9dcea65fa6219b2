"""`invite-hygiene playground`: the local sandbox that stands in for Slack (what `make run` starts without tokens)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings

if TYPE_CHECKING:
    from bot.playground.server import Options, Playground


def add_options(parser: argparse.ArgumentParser) -> None:
    """The playground's options (shared by the subcommand and `python -m bot.playground`)."""
    parser.add_argument("--port", type=int, default=None, help="port of the page (default PORT or 3000)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: only this machine can reach it)")
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite file to keep between runs (default: a fresh temporary demo database)")
    parser.add_argument("--seed", action="store_true", help="fill three months of demo history at start")
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not run the app's background scheduler (the clock buttons still run cycles)")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `playground` on the CLI's subparsers."""
    parser = subparsers.add_parser("playground", help="a local page that stands in for Slack (no tokens needed)")
    add_options(parser)
    return parser


def cmd_playground(settings: Settings, args: argparse.Namespace) -> int:
    """Run the playground until Ctrl+C (or SIGTERM); returns the exit code."""
    from bot.playground.server import Options, Playground

    # `run` (make run) passes its own namespace: every option may be missing there.
    port = getattr(args, "port", None)
    options = Options(host=getattr(args, "host", None) or "127.0.0.1",
                      port=port if port is not None else settings.port, db_path=getattr(args, "db", None),
                      scheduler=not getattr(args, "no_scheduler", False))
    playground = Playground(settings, options)
    with _signals_interrupt() as stopping:
        return _run(playground, options, seed=getattr(args, "seed", False), stopping=stopping)


def _run(playground: Playground, options: Options, *, seed: bool, stopping: Callable[[], None]) -> int:
    from bot.playground.seed import seed_history

    try:
        try:
            url = playground.start()
        except OSError as error:
            print(f"invite-hygiene: error: cannot listen on {options.host}:{options.port}: "
                  f"{error.strerror or error}", file=sys.stderr)
            return 2
        if seed:
            report = seed_history(playground.db, now=playground.clock.now())
            print(f"Seeded {report.invites} demo invites." if not report.already else "Demo history already there.",
                  flush=True)
        print(f"Invite Hygiene playground: open {url}  (Ctrl+C to stop)", flush=True)
        print("The real app answers signed requests behind it; its Slack Web API calls go to the playground.",
              flush=True)
        playground.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stopping()
        playground.stop()
    print("playground stopped", flush=True)
    return 0


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[Callable[[], None]]:
    """While inside, Ctrl+C (SIGINT) and SIGTERM raise KeyboardInterrupt, whatever the process
    inherited: a script that starts the playground with `&` hands it SIGINT ignored, and "Ctrl+C to
    stop" must stay true. Yields what to call once stopping begins, so that a second signal waits for
    the stop instead of breaking it off half done; the earlier handlers come back on the way out.
    Outside the main thread (tests) signals are the caller's business and nothing changes."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    watched = (signal.SIGINT, signal.SIGTERM)
    try:
        earlier = {signum: signal.signal(signum, interrupt) for signum in watched}
    except ValueError:  # not the main thread
        yield lambda: None
        return

    def stopping() -> None:
        for signum in watched:
            signal.signal(signum, signal.SIG_IGN)

    try:
        yield stopping
    finally:
        for signum, handler in earlier.items():
            signal.signal(signum, handler)
