"""Import (files DM'd to the app) and export (CSV DM'd back).

Import: a member sends the app a LinkedIn export file in its DM. Slack then sends two events for
the one upload, ``file_shared`` and a ``message`` with ``files``, and may redeliver either
(``X-Slack-Retry-Num``). Both are acknowledged at once and handled in a lazy listener (ack first:
Slack retries an event it has no answer to within 3 seconds); the first to claim the file
(``bot.services.file_claims``, one INSERT only one transaction wins, on any replica) imports it and
replies, the others are dropped. So the member gets one reply per file, whichever events their
Slack sends. Every import of one file id also carries the same audit change id.

Export: ``/invites export [team]`` acks at once and uploads the CSV to the member's DM from a
worker thread, two at a time (``files_upload_v2``: files.getUploadURLExternal, the upload, then
files.completeUploadExternal).
"""

from __future__ import annotations

import io
import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.commands import Commands
from bot.importing.linkedin import MAX_FILE_BYTES, UnsupportedFile
from bot.services import exporting, file_claims, importing
from bot.services.errors import Forbidden, ServiceError
from bot.services.members import Actor
from bot.slack import render
from bot.slack.deps import Deps, Origin, profile_lookup
from bot.slack.errors import ack_only, reply_for
from bot.slack.render import imports as render_imports

log = logging.getLogger("bot.slack.listeners.files")

DOWNLOAD_TIMEOUT_S = 30
# Exports run beside the requests, two at a time at most: a burst of /invites export queues.
_EXPORTS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="invites-export")
# A file this big takes a second or more to import (50,000 rows, 7 MB: about 4 s): the member is
# told at once that it is under way, and that message becomes the summary when it is done.
PROGRESS_FILE_BYTES = 512 * 1024
_CHUNK = 64 * 1024
_MB = 1024 * 1024


class FileFetchError(ServiceError):
    """Slack would not hand over a shared file; the message says what to do."""


@dataclass(frozen=True)
class SharedFile:
    """A file shared in the app's DM, as a `file_shared` event or a `message` with `files` brings it."""

    team_id: str
    user_id: str
    channel_id: str
    file_id: str

    @classmethod
    def all_of(cls, body: dict, *, team_id: str) -> list[SharedFile]:
        """The files an event shares in a DM (none for a channel the app is in, or a malformed event)."""
        event = body.get("event") or {}
        if event.get("type") == "file_shared":
            channel, user = event.get("channel_id") or "", event.get("user_id") or ""
            ids = [event.get("file_id") or (event.get("file") or {}).get("id")]
        else:
            channel, user = event.get("channel") or "", event.get("user") or ""
            ids = [f.get("id") for f in event.get("files") or [] if isinstance(f, dict)]
        if not channel.startswith("D") or not user:
            return []
        return [cls(team_id, user, channel, file_id) for file_id in dict.fromkeys(ids) if isinstance(file_id, str) and file_id]


def register(app: App, deps: Deps) -> None:
    """Attach the file listeners."""

    def import_shared_files(body: dict, client: WebClient, context: BoltContext) -> None:
        for shared in SharedFile.all_of(body, team_id=context.team_id or ""):
            progress = Progress(client, shared.channel_id)
            reply = import_file(deps, client, shared, progress=progress)
            if reply is not None:
                progress.finish(reply)

    # Either event of an upload imports it; the claim keeps it to one import and one reply.
    app.event("file_shared")(ack=ack_only, lazy=[import_shared_files])
    app.event("message", matchers=[_file_message_in_dm])(ack=ack_only, lazy=[import_shared_files])

    # Every other message in the app's DM (typed or shared text, edits) is listeners/capture.py's:
    # registered after these, so a message with files is the importer's.


def _file_message_in_dm(event: dict) -> bool:
    return event.get("channel_type") == "im" and (event.get("subtype") == "file_share" or bool(event.get("files")))


class Progress:
    """The "Importing…" message of a large file, replaced in place by the summary."""

    def __init__(self, client: WebClient, channel: str) -> None:
        self.client, self.channel, self.ts = client, channel, None

    def start(self, name: str, size: int) -> None:
        """Say the import is under way (best effort: the summary follows either way)."""
        text = f"Importing {name} ({size / _MB:.1f} MB)… I'll update this message when it's done."
        try:
            self.ts = self.client.chat_postMessage(
                channel=self.channel, text=render.escape(text), blocks=[render.section(f":hourglass_flowing_sand: {render.escape(text)}")]
            ).get("ts")
        except SlackApiError as error:
            log.warning("could not post the import progress message: %s", error.response.get("error"))

    def finish(self, reply: render.Reply) -> None:
        """The summary: in place of the progress message when there is one, else a new message."""
        if self.ts:
            try:
                self.client.chat_update(channel=self.channel, ts=self.ts, **reply)
                return
            except SlackApiError as error:
                log.warning("could not update the import progress message: %s", error.response.get("error"))
        self.client.chat_postMessage(channel=self.channel, **reply)


def import_file(
    deps: Deps, client: WebClient, shared: SharedFile, *, progress: Progress | None = None
) -> render.Reply | None:
    """Claim, fetch, parse and import one shared file: the reply to DM (None when another event has it)."""
    name = shared.file_id
    try:
        actor = deps.actor(team_id=shared.team_id, user_id=shared.user_id, client=client)
        if not file_claims.claim(deps.db, team_id=shared.team_id, file_id=shared.file_id, user_id=shared.user_id,
                                 now=deps.clock.now()):
            log.info("file %s: another event of the same upload has it", shared.file_id)
            return None
    except Exception as error:  # noqa: BLE001 - lazy listeners bypass @app.error: map the error to a reply here
        return import_error_reply(name, error, deps.commands)
    try:
        name, data = fetch_file(client, shared.file_id, api_url=deps.settings.slack_api_url)
        if progress is not None and len(data) > PROGRESS_FILE_BYTES:
            progress.start(name, len(data))
        change_id = importing.file_change_id(shared.team_id, shared.file_id)
        summary = importing.import_upload(deps.db, actor, name, data, now=deps.clock.now(), change_id=change_id)
    except Exception as error:  # noqa: BLE001 - as above
        # A file the app cannot read is final (the member is told why); anything else (the
        # database, Slack, the network) may pass: the other event or a retry can claim it again.
        _finish(deps, shared, ok=isinstance(error, UnsupportedFile | FileFetchError))
        return import_error_reply(name, error, deps.commands)
    _finish(deps, shared, ok=True)
    return import_reply(summary, deps.commands)


def _finish(deps: Deps, shared: SharedFile, *, ok: bool) -> None:
    try:
        file_claims.finish(deps.db, team_id=shared.team_id, file_id=shared.file_id, ok=ok, now=deps.clock.now())
    except Exception:  # noqa: BLE001 - the claim then goes stale and can be taken over later
        log.warning("could not record the end of the import of %s", shared.file_id, exc_info=True)


def fetch_file(client: WebClient, file_id: str, *, api_url: str) -> tuple[str, bytes]:
    """The file's name and bytes: `files.info`, then its private download URL with the bot token."""
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as error:
        code = error.response.get("error") or f"HTTP {error.response.status_code}"
        raise FileFetchError(
            f"Slack would not let me read that file ({code}), so nothing was imported. Send it again in a minute."
        ) from None
    name = info.get("name") or info.get("title") or file_id
    size = int(info.get("size") or 0)
    if size > MAX_FILE_BYTES:
        raise UnsupportedFile(_over_limit(name, size))
    url = info.get("url_private_download") or info.get("url_private")
    if not url or info.get("mode") == "external":
        raise FileFetchError(f"{name} is a link to a file stored elsewhere; upload the file itself.")
    if not _is_slack_url(url, api_url):
        raise FileFetchError(f"{name} is not stored on Slack, so I won't send my token to fetch it.")
    return name, _download(url, client.token or "", name)


def _download(url: str, token: str, name: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
            if "text/html" in (response.headers.get("Content-Type") or ""):
                # Slack answers a missing files:read scope with its sign-in page, status 200.
                raise FileFetchError(
                    f"Slack sent a sign-in page instead of {name}: the app may be missing the files:read "
                    "permission. Ask an admin to reinstall it."
                )
            chunks, total = [], 0
            while chunk := response.read(_CHUNK):
                total += len(chunk)
                if total > MAX_FILE_BYTES:
                    raise UnsupportedFile(_over_limit(name, total, more=True))
                chunks.append(chunk)
    except urllib.error.HTTPError as error:
        raise FileFetchError(f"Slack answered HTTP {error.code} when I downloaded {name}; nothing was imported.") from None
    except (urllib.error.URLError, OSError) as error:
        raise FileFetchError(
            f"I couldn't download {name} from Slack ({type(error).__name__}); nothing was imported. Send it again."
        ) from None
    return b"".join(chunks)


def _is_slack_url(url: str, api_url: str) -> bool:
    """The bot token only goes to Slack's hosts (or to the Web API host configured, e.g. a local fake)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return False
    if host == "slack.com" or host.endswith(".slack.com"):
        return parts.scheme == "https"
    api = urlsplit(api_url)
    return (parts.scheme, host, parts.port) == (api.scheme, (api.hostname or "").lower(), api.port)


def _over_limit(name: str, size: int, *, more: bool = False) -> str:
    amount = f"more than {MAX_FILE_BYTES // _MB} MB" if more else f"{size / _MB:.1f} MB"
    return f"{name} is {amount}, over the {MAX_FILE_BYTES // _MB} MB limit"


def import_reply(summary: importing.ImportSummary, commands: Commands) -> render.Reply:
    """The import summary as a DM (file names, companies and commands escaped for mrkdwn)."""
    lines = render_imports.summary_lines(summary, escape=render.escape, code=lambda text: f"`{render.escape(text)}`",
                                    invites_command=commands.invites)
    lines[0] = f":inbox_tray: *{lines[0]}*"
    return render.reply("\n".join(lines).replace("*", ""), render.sections(lines))


def import_error_reply(name: str, error: Exception, commands: Commands) -> render.Reply:
    """Why a file was not imported (nothing was stored)."""
    if isinstance(error, UnsupportedFile):
        text = render.escape(f"I couldn't import {name}: {error}")
        how = f"Nothing was imported. `{render.escape(commands.invites)} import` explains how to get the files."
        return render.reply(text, [render.section(f":warning: {text}"), render.context(how)])
    if isinstance(error, FileFetchError):
        return render.error(str(error))
    return reply_for(error, commands)


# ---- export ----------------------------------------------------------------------------------


def export_command(deps: Deps, actor: Actor, whole_team: bool, origin: Origin) -> render.Reply:
    """`/invites export [team]`: ack now, upload the CSV to the member's DM from a worker thread."""
    if whole_team and not is_admin(deps, actor, origin.client):
        raise Forbidden("Only workspace admins and owners can export the whole team. "
                        f"`{deps.commands.invites} export` sends your own invites.")
    _EXPORTS.submit(send_export, deps, actor, whole_team, origin.client)
    whose = "the team's" if whole_team else "your"
    return render.simple(f"Sending {whose} CSV in a DM…")


def is_admin(deps: Deps, actor: Actor, client: WebClient) -> bool:
    """ADMIN_USER_IDS, or a Slack workspace admin or owner (users.info)."""
    if actor.user_id in deps.settings.admin_user_ids:
        return True
    profile = profile_lookup(client)(actor.user_id) if client.token else None
    return bool(profile and profile.is_admin)


def send_export(deps: Deps, actor: Actor, whole_team: bool, client: WebClient) -> None:
    """Write the CSV and upload it to the member's DM; a failure is DM'd instead."""
    try:
        buffer = io.BytesIO()
        text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
        rows = exporting.export_rows(deps.db, team_id=actor.team_id, user_id=None if whole_team else actor.user_id)
        count = exporting.write_csv(rows, text)
        text.flush()
        day = deps.clock.now().astimezone(actor.tz).date().isoformat()
        filename = f"invites-team-{actor.team_id}-{day}.csv" if whole_team else f"invites-{day}.csv"
        channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel, content=buffer.getvalue(), filename=filename, title=filename,
            initial_comment=_export_comment(count, whole_team),
        )
    except Exception as error:  # noqa: BLE001 - a worker thread: the member must hear about it
        reply = reply_for(error, deps.commands)
        try:
            client.chat_postMessage(channel=actor.user_id, **reply)
        except SlackApiError:
            log.warning("could not tell %s that the export failed", actor.user_id)


def _export_comment(count: int, whole_team: bool) -> str:
    noun = "invite" if count == 1 else "invites"
    whose = "The team's" if whole_team else "Your"
    return f"{whose} {count} {noun} as CSV (times in UTC). Formula-like cells start with an apostrophe."

