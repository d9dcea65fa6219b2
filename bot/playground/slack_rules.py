"""Slack's documented Block Kit and Web API payload rules, as pure checks returning violation strings.

Used by the playground's fake Web API (which answers `invalid_blocks` like Slack) and by the test
suite's fake Web API and harness (which fail the test that sent the payload). Every function returns
a list of human-readable violations, empty when the payload is one Slack would accept.

Sources: Slack's Block Kit reference (blocks, block elements, composition objects), the surface
pages (messages, modals, App Home), `views.*`, `chat.*` and "Formatting text for app surfaces".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

MESSAGE, MODAL, HOME = "message", "modal", "home"
SURFACES = (MESSAGE, MODAL, HOME)
MAX_BLOCKS = {MESSAGE: 50, MODAL: 100, HOME: 100}

# Which blocks each surface takes.
BLOCK_SURFACES: dict[str, tuple[str, ...]] = {
    "section": SURFACES, "divider": SURFACES, "header": SURFACES, "context": SURFACES,
    "actions": SURFACES, "image": SURFACES, "input": SURFACES, "rich_text": SURFACES, "video": SURFACES,
    "file": (MESSAGE,), "markdown": (MESSAGE,), "table": (MESSAGE,),
}

SELECTS = ("static_select", "external_select", "users_select", "conversations_select", "channels_select")
MULTI_SELECTS = tuple(f"multi_{s}" for s in SELECTS)
CHOICES = ("checkboxes", "radio_buttons")
PICKERS = ("datepicker", "timepicker", "datetimepicker")
INPUTS = ("plain_text_input", "number_input", "email_text_input", "url_text_input", "file_input",
          "rich_text_input")

SECTION_ACCESSORIES = frozenset(("button", "image", "overflow", "workflow_button", *SELECTS, *MULTI_SELECTS,
                                 *CHOICES, "datepicker", "timepicker"))
ACTIONS_ELEMENTS = frozenset(("button", "overflow", "workflow_button", *SELECTS, *MULTI_SELECTS, *CHOICES,
                              *PICKERS))
INPUT_ELEMENTS = frozenset((*SELECTS, *MULTI_SELECTS, *CHOICES, *PICKERS, *INPUTS))
CONTEXT_ELEMENTS = frozenset(("image", "plain_text", "mrkdwn"))

ID_LIMIT = 255
TEXT_TYPES = ("plain_text", "mrkdwn")

# `<…>` Slack accepts in mrkdwn: links, mentions and special commands.
_VALID_ANGLE = re.compile(
    r"<(?:(?:https?://|mailto:)[^<>\s|]+(?:\|[^<>]*)?"
    r"|@[UW][A-Z0-9]+(?:\|[^<>]*)?"
    r"|#[CG][A-Z0-9]+(?:\|[^<>]*)?"
    r"|!(?:here|channel|everyone)(?:\|[^<>]*)?"
    r"|!date\^\d+\^[^<>]+"
    r"|!subteam\^[A-Z0-9]+(?:\|[^<>]*)?)>"
)
_ENTITY = re.compile(r"&(?:amp|lt|gt);")


# ---- text ----------------------------------------------------------------------------------


def check_mrkdwn(text: str, where: str = "text") -> list[str]:
    """A `<` that opens no link/mention and a `&` that starts no entity are shown wrong by Slack."""
    problems: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            match = _VALID_ANGLE.match(text, i)
            if match is None:
                problems.append(f"{where}: unescaped '<' at {i} ({_around(text, i)!r}): write &lt; "
                                "or a link <https://…|label>")
                i += 1
                continue
            i = match.end()
            continue
        if ch == "&" and not _ENTITY.match(text, i):
            problems.append(f"{where}: unescaped '&' at {i} ({_around(text, i)!r}): write &amp;")
        i += 1
    return problems[:5]


def _around(text: str, index: int) -> str:
    return text[max(0, index - 20): index + 20]


def check_text(obj: Any, where: str, *, limit: int, plain_only: bool = False, required: bool = True,
               min_length: int = 1) -> list[str]:
    """A text object: a type, a non-empty string within the limit, mrkdwn escaped as Slack needs."""
    if obj is None:
        return [f"{where}: required"] if required else []
    if not isinstance(obj, dict):
        return [f"{where}: must be a text object, got {type(obj).__name__}"]
    kind = obj.get("type")
    problems: list[str] = []
    if kind not in TEXT_TYPES:
        return [f"{where}: text object type must be plain_text or mrkdwn, got {kind!r}"]
    if plain_only and kind != "plain_text":
        problems.append(f"{where}: must be plain_text, got mrkdwn")
    text = obj.get("text")
    if not isinstance(text, str):
        return [*problems, f"{where}.text: required string"]
    if len(text) < min_length:
        problems.append(f"{where}.text: must be at least {min_length} character(s)")
    if len(text) > limit:
        problems.append(f"{where}.text: {len(text)} characters, more than {limit}")
    if kind == "mrkdwn":
        if "emoji" in obj:
            problems.append(f"{where}: emoji is only allowed on plain_text")
        problems += check_mrkdwn(text, f"{where}.text")
    elif "verbatim" in obj:
        problems.append(f"{where}: verbatim is only allowed on mrkdwn")
    return problems


def _str_field(obj: dict[str, Any], key: str, where: str, *, limit: int, required: bool = False) -> list[str]:
    value = obj.get(key)
    if value is None:
        return [f"{where}.{key}: required"] if required else []
    if not isinstance(value, str):
        return [f"{where}.{key}: must be a string"]
    if required and not value:
        return [f"{where}.{key}: must not be empty"]
    if len(value) > limit:
        return [f"{where}.{key}: {len(value)} characters, more than {limit}"]
    return []


# ---- composition objects ---------------------------------------------------------------------


def check_confirm(obj: Any, where: str) -> list[str]:
    """A confirm dialog: every text is plain_text; title 100, text 300, buttons 30."""
    if not isinstance(obj, dict):
        return [f"{where}: must be an object"]
    problems = check_text(obj.get("title"), f"{where}.title", limit=100, plain_only=True)
    problems += check_text(obj.get("text"), f"{where}.text", limit=300, plain_only=True)
    problems += check_text(obj.get("confirm"), f"{where}.confirm", limit=30, plain_only=True)
    problems += check_text(obj.get("deny"), f"{where}.deny", limit=30, plain_only=True)
    if obj.get("style") not in (None, "primary", "danger"):
        problems.append(f"{where}.style: must be primary or danger")
    return problems


def check_option(obj: Any, where: str, *, plain_only: bool = True) -> list[str]:
    """An option: text 75 (plain_text in menus), value 150, description 75."""
    if not isinstance(obj, dict):
        return [f"{where}: must be an object"]
    problems = check_text(obj.get("text"), f"{where}.text", limit=75, plain_only=plain_only)
    problems += _str_field(obj, "value", where, limit=150, required=True)
    problems += check_text(obj.get("description"), f"{where}.description", limit=75, plain_only=plain_only,
                           required=False)
    problems += _str_field(obj, "url", where, limit=3000)
    return problems


def _options(element: dict[str, Any], where: str, *, limit: int, plain_only: bool, minimum: int = 1,
             groups_allowed: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
    problems: list[str] = []
    options = element.get("options")
    groups = element.get("option_groups") if groups_allowed else None
    flat: list[dict[str, Any]] = []
    if options is not None and groups is not None:
        problems.append(f"{where}: options and option_groups are exclusive")
    if groups is not None:
        if not isinstance(groups, list) or not 1 <= len(groups) <= 100:
            problems.append(f"{where}.option_groups: 1 to 100 groups")
            groups = groups if isinstance(groups, list) else []
        for g, group in enumerate(groups):
            gw = f"{where}.option_groups[{g}]"
            if not isinstance(group, dict):
                problems.append(f"{gw}: must be an object")
                continue
            problems += check_text(group.get("label"), f"{gw}.label", limit=75, plain_only=True)
            inner = group.get("options")
            if not isinstance(inner, list) or not 1 <= len(inner) <= 100:
                problems.append(f"{gw}.options: 1 to 100 options")
                continue
            for o, option in enumerate(inner):
                problems += check_option(option, f"{gw}.options[{o}]", plain_only=True)
            flat += [o for o in inner if isinstance(o, dict)]
    elif options is not None or minimum:
        if not isinstance(options, list):
            return [*problems, f"{where}.options: required list"], flat
        if not minimum <= len(options) <= limit:
            problems.append(f"{where}.options: {len(options)} options, allowed {minimum} to {limit}")
        for o, option in enumerate(options):
            problems += check_option(option, f"{where}.options[{o}]", plain_only=plain_only)
        flat = [o for o in options if isinstance(o, dict)]
    values = [o.get("value") for o in flat]
    if len(values) != len(set(map(str, values))):
        problems.append(f"{where}: option values must be unique")
    return problems, flat


def _initial_in(initial: Any, flat: list[dict[str, Any]], where: str) -> list[str]:
    if not flat:
        return []
    keyed = {json.dumps(o, sort_keys=True) for o in flat}
    picks = initial if isinstance(initial, list) else [initial]
    return [f"{where}: initial option {p.get('value') if isinstance(p, dict) else p!r} is not one of the options"
            for p in picks if json.dumps(p, sort_keys=True) not in keyed]


# ---- elements --------------------------------------------------------------------------------


def check_element(element: Any, where: str, *, allowed: Iterable[str]) -> list[str]:
    """One interactive (or image) element of a block."""
    if not isinstance(element, dict):
        return [f"{where}: must be an object"]
    kind = element.get("type")
    allowed = frozenset(allowed)
    if kind not in allowed:
        return [f"{where}: element type {kind!r} is not allowed here (allowed: {', '.join(sorted(allowed))})"]
    problems = _str_field(element, "action_id", where, limit=ID_LIMIT)
    if "confirm" in element:
        problems += check_confirm(element["confirm"], f"{where}.confirm")
    if "placeholder" in element:
        problems += check_text(element["placeholder"], f"{where}.placeholder", limit=150, plain_only=True)
    if kind == "button":
        problems += check_text(element.get("text"), f"{where}.text", limit=75, plain_only=True)
        problems += _str_field(element, "value", where, limit=2000)
        problems += _str_field(element, "url", where, limit=3000)
        problems += _str_field(element, "accessibility_label", where, limit=75)
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"{where}.style: must be primary or danger")
    elif kind == "workflow_button":
        problems += check_text(element.get("text"), f"{where}.text", limit=75, plain_only=True)
        if not isinstance(element.get("workflow"), dict):
            problems.append(f"{where}.workflow: required")
    elif kind == "image":
        problems += _image_source(element, where)
        problems += _str_field(element, "alt_text", where, limit=2000, required=True)
    elif kind == "overflow":
        found, _ = _options(element, where, limit=5, plain_only=True)
        problems += found
    elif kind == "static_select" or kind == "multi_static_select":
        found, flat = _options(element, where, limit=100, plain_only=True, groups_allowed=True)
        problems += found
        if kind == "static_select" and "initial_option" in element:
            problems += _initial_in(element["initial_option"], flat, f"{where}.initial_option")
        if kind == "multi_static_select" and "initial_options" in element:
            problems += _initial_in(element["initial_options"], flat, f"{where}.initial_options")
    elif kind in CHOICES:
        found, flat = _options(element, where, limit=10, plain_only=False)
        problems += found
        key = "initial_option" if kind == "radio_buttons" else "initial_options"
        if key in element:
            problems += _initial_in(element[key], flat, f"{where}.{key}")
    elif kind == "datepicker" and "initial_date" in element:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(element["initial_date"])):
            problems.append(f"{where}.initial_date: must be YYYY-MM-DD")
    elif kind == "timepicker" and "initial_time" in element:
        if not re.fullmatch(r"\d{2}:\d{2}", str(element["initial_time"])):
            problems.append(f"{where}.initial_time: must be HH:mm")
    elif kind == "plain_text_input":
        for key in ("min_length", "max_length"):
            value = element.get(key)
            if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
                problems.append(f"{where}.{key}: 0 to 3000")
        if not isinstance(element.get("initial_value", ""), str):
            problems.append(f"{where}.initial_value: must be a string")
        elif len(element.get("initial_value", "")) > 3000:
            problems.append(f"{where}.initial_value: more than 3000 characters")
    elif kind == "number_input":
        if not isinstance(element.get("is_decimal_allowed"), bool):
            problems.append(f"{where}.is_decimal_allowed: required boolean")
        for key in ("initial_value", "min_value", "max_value"):
            if key in element and not isinstance(element[key], str):
                problems.append(f"{where}.{key}: must be a string")
    elif kind in MULTI_SELECTS and "max_selected_items" in element and (
            not isinstance(element["max_selected_items"], int) or element["max_selected_items"] < 1):
        problems.append(f"{where}.max_selected_items: at least 1")
    return problems


# A Slack file's id as Slack checks it in a slack_file object ("input must match regex pattern").
FILE_ID = re.compile(r"F[A-Z0-9]{8,}")


def check_slack_file(obj: Any, where: str) -> list[str]:
    """A slack_file object: exactly one of `id` (F…) or `url` (its url_private or permalink)."""
    if not isinstance(obj, dict):
        return [f"{where}: must be an object"]
    has_id, has_url = "id" in obj, "url" in obj
    if has_id == has_url:
        return [f"{where}: give exactly one of id or url"]
    unknown = sorted(set(obj) - {"id", "url"})
    problems = [f"{where}.{key}: not a field of a slack_file object" for key in unknown]
    if has_id and not (isinstance(obj["id"], str) and FILE_ID.fullmatch(obj["id"])):
        problems.append(f"{where}.id: must match ^F[A-Z0-9]{{8,}}$, got {obj['id']!r}")
    if has_url:
        problems += _str_field(obj, "url", where, limit=3000, required=True)
    return problems


def _image_source(obj: dict[str, Any], where: str) -> list[str]:
    """An image block's or element's source: an image_url or a slack_file, never both."""
    has_url, has_file = "image_url" in obj, "slack_file" in obj
    if has_url == has_file:
        return [f"{where}: give exactly one of image_url or slack_file"]
    if has_url:
        return _str_field(obj, "image_url", where, limit=3000, required=True)
    return check_slack_file(obj["slack_file"], f"{where}.slack_file")


def _unique_action_ids(elements: list[Any], where: str) -> list[str]:
    ids = [e.get("action_id") for e in elements if isinstance(e, dict) and e.get("action_id") is not None]
    dupes = sorted({str(i) for i in ids if ids.count(i) > 1})
    return [f"{where}: action_id {d!r} used more than once in the block" for d in dupes]


# ---- blocks ----------------------------------------------------------------------------------


def check_block(block: Any, where: str, surface: str) -> list[str]:
    """One block on a surface."""
    if not isinstance(block, dict):
        return [f"{where}: must be an object"]
    kind = block.get("type")
    if kind not in BLOCK_SURFACES:
        return [f"{where}: unsupported block type {kind!r}"]
    if surface not in BLOCK_SURFACES[kind]:
        return [f"{where}: {kind} blocks are not allowed in a {surface}"]
    problems = _str_field(block, "block_id", where, limit=ID_LIMIT)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"{where}: a section needs text or fields")
        if "text" in block:
            problems += check_text(block["text"], f"{where}.text", limit=3000)
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not 1 <= len(fields) <= 10:
                problems.append(f"{where}.fields: 1 to 10 fields")
            for f, field in enumerate(fields if isinstance(fields, list) else []):
                problems += check_text(field, f"{where}.fields[{f}]", limit=2000)
        if "accessory" in block:
            problems += check_element(block["accessory"], f"{where}.accessory", allowed=SECTION_ACCESSORIES)
    elif kind == "header":
        problems += check_text(block.get("text"), f"{where}.text", limit=150, plain_only=True)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
            problems.append(f"{where}.elements: 1 to 10 elements")
            elements = elements if isinstance(elements, list) else []
        for e, element in enumerate(elements):
            ew = f"{where}.elements[{e}]"
            if isinstance(element, dict) and element.get("type") in TEXT_TYPES:
                problems += check_text(element, ew, limit=3000)
            else:
                problems += check_element(element, ew, allowed=("image",))
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
            problems.append(f"{where}.elements: 1 to 25 elements")
            elements = elements if isinstance(elements, list) else []
        for e, element in enumerate(elements):
            problems += check_element(element, f"{where}.elements[{e}]", allowed=ACTIONS_ELEMENTS)
        problems += _unique_action_ids(elements, where)
    elif kind == "input":
        problems += check_text(block.get("label"), f"{where}.label", limit=2000, plain_only=True)
        problems += check_text(block.get("hint"), f"{where}.hint", limit=2000, plain_only=True, required=False)
        problems += check_element(block.get("element"), f"{where}.element", allowed=INPUT_ELEMENTS)
        for key in ("optional", "dispatch_action"):
            if key in block and not isinstance(block[key], bool):
                problems.append(f"{where}.{key}: must be a boolean")
    elif kind == "image":
        problems += _image_source(block, where)
        problems += _str_field(block, "alt_text", where, limit=2000, required=True)
        problems += check_text(block.get("title"), f"{where}.title", limit=2000, plain_only=True, required=False)
    elif kind == "rich_text":
        if not isinstance(block.get("elements"), list):
            problems.append(f"{where}.elements: required list")
    elif kind == "video":
        for key in ("alt_text", "title", "thumbnail_url", "video_url"):
            if key not in block:
                problems.append(f"{where}.{key}: required")
    elif kind == "file":
        if block.get("source") != "remote" or not block.get("external_id"):
            problems.append(f"{where}: a file block needs source 'remote' and an external_id")
    elif kind == "markdown":
        problems += _str_field(block, "text", where, limit=12000, required=True)
    return problems


def check_blocks(blocks: Any, surface: str) -> list[str]:
    """A surface's blocks: each block, the count limit, and block_ids unique in the payload."""
    if not isinstance(blocks, list):
        return [f"blocks: must be a list, got {type(blocks).__name__}"]
    problems: list[str] = []
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        problems.append(f"blocks: {len(blocks)} blocks, no more than {limit} allowed in a {surface}")
    seen: set[str] = set()
    for b, block in enumerate(blocks):
        where = f"blocks[{b}]" + (f" ({block.get('type')})" if isinstance(block, dict) else "")
        problems += check_block(block, where, surface)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            if block_id in seen:
                problems.append(f"{where}: block_id {block_id!r} is not unique")
            seen.add(block_id)
    return problems


def input_block_ids(view: dict[str, Any]) -> set[str]:
    """The block_ids of a view's input blocks (what `response_action: errors` may name)."""
    return {str(b["block_id"]) for b in view.get("blocks") or []
            if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")}


# ---- views -----------------------------------------------------------------------------------


def check_view(view: Any, *, expected: str | None = None) -> list[str]:
    """A modal or Home view as views.open/push/update/publish (or a response_action) takes it."""
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            return ["view: not valid JSON"]
    if not isinstance(view, dict):
        return ["view: must be an object"]
    kind = view.get("type")
    if kind not in (MODAL, HOME):
        return [f"view.type: must be modal or home, got {kind!r}"]
    if expected and kind != expected:
        return [f"view.type: must be {expected} here, got {kind!r}"]
    problems = check_blocks(view.get("blocks") if "blocks" in view else None, kind)
    problems = [f"view.{p}" for p in problems]
    problems += _str_field(view, "private_metadata", "view", limit=3000)
    problems += _str_field(view, "callback_id", "view", limit=ID_LIMIT)
    problems += _str_field(view, "external_id", "view", limit=ID_LIMIT)
    if kind == MODAL:
        problems += check_text(view.get("title"), "view.title", limit=24, plain_only=True)
        problems += check_text(view.get("close"), "view.close", limit=24, plain_only=True, required=False)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and "submit" not in view:
            problems.append("view.submit: required when the modal has input blocks")
        else:
            problems += check_text(view.get("submit"), "view.submit", limit=24, plain_only=True, required=False)
    else:
        for key in ("submit", "close"):
            if key in view:
                problems.append(f"view.{key}: not allowed in a Home view")
    for key in ("clear_on_close", "notify_on_close", "submit_disabled"):
        if key in view and not isinstance(view[key], bool):
            problems.append(f"view.{key}: must be a boolean")
    return problems


# ---- messages and Web API calls --------------------------------------------------------------


def _parsed(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return _BAD_JSON
    return value


_BAD_JSON = object()
_FALSE = (False, "false", "False", "0")


def check_message(params: dict[str, Any], *, method: str = "chat.postMessage") -> list[str]:
    """A message payload: blocks (50), the text fallback when there are blocks, escaping of text."""
    problems: list[str] = []
    blocks = _parsed(params.get("blocks")) if params.get("blocks") not in (None, "") else None
    if blocks is _BAD_JSON:
        return ["blocks: not valid JSON"]
    if blocks is not None:
        problems += check_blocks(blocks, MESSAGE)
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        problems.append("text: must be a string")
        text = str(text)
    needs_fallback = method in ("chat.postMessage", "chat.postEphemeral", "chat.update")
    if blocks and needs_fallback and not (text or "").strip():
        problems.append(f"text: {method} with blocks needs a text fallback (notifications and screen readers)")
    if text:
        if len(text) > 40000:
            problems.append(f"text: {len(text)} characters, more than 40000 (msg_too_long)")
        if params.get("mrkdwn") not in _FALSE:
            problems += check_mrkdwn(text, "text")
    if method in ("chat.postMessage", "chat.postEphemeral") and not blocks and not text \
            and not params.get("attachments"):
        problems.append("text: a message needs text, blocks or attachments (no_text)")
    metadata = _parsed(params.get("metadata")) if params.get("metadata") not in (None, "") else None
    if metadata is _BAD_JSON or (metadata is not None and not (
            isinstance(metadata, dict) and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict))):
        problems.append("metadata: needs event_type (string) and event_payload (object)")
    if params.get("response_type") not in (None, "ephemeral", "in_channel"):
        problems.append("response_type: must be ephemeral or in_channel")
    return problems


VIEW_METHODS = {"views.open": MODAL, "views.push": MODAL, "views.update": None, "views.publish": HOME}
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage",
                   "response_url")


# Slack's message timestamps ("1763460000.000100"): what `thread_ts` must be.
_TS = re.compile(r"^[0-9]{1,12}\.[0-9]{1,9}$")
# Slack's trigger ids ("13345224609.738474920.8088930838d88f008e0"): views.open/push need one.
_TRIGGER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9A-Za-z]+$")
_EXECUTION_ID = re.compile(r"^Fx[0-9A-Z]{6,}$")
FUNCTION_METHODS = ("functions.completeSuccess", "functions.completeError")


def check_function_completion(method: str, params: dict[str, Any]) -> list[str]:
    """functions.completeSuccess (function_execution_id, outputs object) / completeError (…, error text)."""
    problems: list[str] = []
    execution = params.get("function_execution_id")
    if not isinstance(execution, str) or not _EXECUTION_ID.match(execution):
        problems.append(f"function_execution_id: required, an execution id like Fx123ABC456 (got {execution!r})")
    if method == "functions.completeSuccess":
        outputs = _parsed(params.get("outputs"))
        if not isinstance(outputs, dict):
            problems.append("outputs: required, a JSON object of the function's output parameters")
    else:
        error = params.get("error")
        if not isinstance(error, str) or not error.strip():
            problems.append("error: required, a message saying why the step failed")
    return problems


def slack_file_ids(params: dict[str, Any]) -> list[str]:
    """The slack_file ids a Web API call's blocks (or view's blocks) name, for a fake to look up."""
    found: list[str] = []
    view = _parsed(params.get("view")) if params.get("view") not in (None, "") else None
    blocks = _parsed(params.get("blocks")) if params.get("blocks") not in (None, "") else None
    sources = [blocks, view.get("blocks") if isinstance(view, dict) else None]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("slack_file")
            if isinstance(ref, dict) and isinstance(ref.get("id"), str):
                found.append(ref["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for source in sources:
        walk(source if source is not _BAD_JSON else None)
    return found


def check_upload_url_request(params: dict[str, Any]) -> list[str]:
    """files.getUploadURLExternal: a filename and the file's length in bytes (a positive integer)."""
    problems = _str_field(params, "filename", "files.getUploadURLExternal", limit=1000, required=True)
    length = params.get("length")
    if isinstance(length, str) and length.isdigit():
        length = int(length)
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        problems.append(f"files.getUploadURLExternal.length: a positive integer (bytes) required, got {length!r}")
    if params.get("alt_txt") is not None:
        problems += _str_field(params, "alt_txt", "files.getUploadURLExternal", limit=1000)
    return problems


def check_complete_upload(params: dict[str, Any]) -> list[str]:
    """files.completeUploadExternal: `files`, a JSON array of {id, title?} for ids from getUploadURLExternal."""
    listed = _parsed(params.get("files"))
    if not isinstance(listed, list) or not listed:
        return ["files.completeUploadExternal.files: a non-empty JSON array of {id, title} required"]
    problems: list[str] = []
    for i, item in enumerate(listed):
        where = f"files.completeUploadExternal.files[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item.get("id"):
            problems.append(f"{where}.id: required string")
            continue
        if item.get("title") is not None and not isinstance(item["title"], str):
            problems.append(f"{where}.title: must be a string")
    if params.get("thread_ts") and not params.get("channel_id") and not params.get("channels"):
        problems.append("files.completeUploadExternal.thread_ts: needs channel_id")
    return problems


def check_call(method: str, params: dict[str, Any]) -> list[str]:
    """Any Web API call (or response_url post): the Block Kit it carries, the arguments Slack requires."""
    if method in FUNCTION_METHODS:
        return check_function_completion(method, params)
    if method == "files.getUploadURLExternal":
        return check_upload_url_request(params)
    if method == "files.completeUploadExternal":
        return check_complete_upload(params)
    if method in VIEW_METHODS:
        if "view" not in params:
            return ["view: required"]
        problems = []
        if method in ("views.open", "views.push") and not _TRIGGER.match(str(params.get("trigger_id") or "")) \
                and not params.get("interactivity_pointer"):
            problems.append(f"trigger_id: required, a trigger id from the interaction (got {params.get('trigger_id')!r})")
        return problems + check_view(params["view"], expected=VIEW_METHODS[method])
    if method in MESSAGE_METHODS:
        if method == "response_url" and (params.get("delete_original") not in (None, *_FALSE)):
            return []
        problems = []
        thread_ts = params.get("thread_ts")
        if thread_ts not in (None, "") and not _TS.match(str(thread_ts)):
            problems.append(f"thread_ts: not a message timestamp like 1763460000.000100 (got {thread_ts!r})")
        return problems + check_message(params, method=method)
    return []


# ---- acks ------------------------------------------------------------------------------------

RESPONSE_ACTIONS = ("errors", "update", "push", "clear")


def check_command_ack(body: dict[str, Any]) -> list[str]:
    """What a slash command's ack may carry: an (ephemeral or in_channel) message, or nothing."""
    if not body:
        return []
    return [f"command ack {p}" for p in check_message(body, method="ack")]


def check_view_submission_ack(body: dict[str, Any], view: dict[str, Any] | None = None,
                              submitted_block_ids: Iterable[str] | None = None) -> list[str]:
    """A view_submission ack: empty, or a response_action with what it needs.

    `errors` must name input blocks of the submitted view (from `view`, or the state's block ids).
    """
    if not body:
        return []
    action = body.get("response_action")
    if action not in RESPONSE_ACTIONS:
        return [f"view_submission ack: response_action must be one of {', '.join(RESPONSE_ACTIONS)}, got {action!r}"]
    problems: list[str] = []
    if action == "errors":
        errors = body.get("errors")
        if not isinstance(errors, dict) or not errors:
            return ["view_submission ack: errors must be a non-empty object keyed by input block_id"]
        known = input_block_ids(view) if view else set(submitted_block_ids or ())
        for key, message in errors.items():
            if known and key not in known:
                problems.append(f"view_submission ack: errors names {key!r}, not an input block of the view "
                                f"({', '.join(sorted(known))})")
            if not isinstance(message, str) or not message:
                problems.append(f"view_submission ack: errors[{key!r}] must be a non-empty string")
    elif action in ("update", "push"):
        if "view" not in body:
            return [f"view_submission ack: response_action {action} needs a view"]
        problems += [f"view_submission ack {p}" for p in check_view(body["view"], expected=MODAL)]
    return problems
