"""Tokens, the signing secret and the client secret never reach logs, replies or error messages."""

from __future__ import annotations

import json
import logging

from bot.config import Settings
from bot.logs import RedactSecrets
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET

CLIENT_SECRET = "client-secret-do-not-leak-42"


def test_nothing_secret_in_logs_replies_or_outgoing_payloads(slack, fake_slack, caplog):
    caplog.set_level(logging.DEBUG)
    texts = []
    for command, text in [("/invited", "https://linkedin.com/in/a-a"), ("/invited", "--bogus"),
                          ("/invites", "list"), ("/invites", "stats"), ("/invites", "accepted #999"),
                          ("/invites", "settings"), ("/invites", "forget-me"), ("/invites", "nonsense")]:
        texts.append(json.dumps(slack.command(command, text).body))
    texts.append(json.dumps(slack.click({"action_id": "pick_outcome:0", "value": "{broken"})))
    sent = json.dumps([c.params for c in fake_slack.calls])  # what the app sent (headers carry the token, by design)
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text
        assert all(secret not in t for t in texts)
        assert secret not in sent


def test_settings_never_print_secrets():
    settings = Settings(_env_file=None, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                        slack_client_id="1.2", slack_client_secret=CLIENT_SECRET)
    shown = repr(settings) + str(settings) + json.dumps(settings.model_dump(mode="json"))
    assert BOT_TOKEN not in shown and SIGNING_SECRET not in shown and CLIENT_SECRET not in shown


def test_a_secret_that_slips_into_a_log_line_is_redacted(caplog):
    logger = logging.getLogger("bot.test.redact")
    handler = logging.StreamHandler()
    redact = RedactSecrets([BOT_TOKEN, CLIENT_SECRET])
    record = logger.makeRecord("bot", logging.ERROR, __file__, 1, "oops %s and %s", (BOT_TOKEN, CLIENT_SECRET), None)
    assert redact.filter(record)
    assert BOT_TOKEN not in record.getMessage() and CLIENT_SECRET not in record.getMessage()
    assert "[redacted]" in record.getMessage()
    handler.close()
