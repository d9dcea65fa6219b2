"""Block Kit to HTML for the playground page: every string escaped, every control tagged for the script."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.playground.mrkdwn import plain, text_object

Block = Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    """What rendering needs beyond the blocks: names for mentions and selects, modal errors."""

    users: Mapping[str, str] = field(default_factory=dict)  # user id → name
    channels: Mapping[str, str] = field(default_factory=dict)  # channel id → name
    errors: Mapping[str, str] = field(default_factory=dict)  # block_id → error (modals)


def attr(value: Any) -> str:
    """An HTML attribute value, escaped."""
    return html.escape(str(value), quote=True)


def text(obj: Any, ctx: Context) -> str:
    """A text object as HTML."""
    return text_object(obj, users=ctx.users, channels=ctx.channels)


def blocks_html(blocks: list[Block], ctx: Context) -> str:
    """A list of blocks."""
    return "".join(block_html(b, ctx) for b in blocks if isinstance(b, Mapping))


def block_html(block: Block, ctx: Context) -> str:
    """One block, wrapped with its type and block_id."""
    kind = str(block.get("type", ""))
    render = BLOCKS.get(kind)
    inner = render(block, ctx) if render else f'<div class="bk-unknown">Unsupported block type: {attr(kind)}</div>'
    block_id = str(block.get("block_id", ""))
    error = ctx.errors.get(block_id)
    tail = f'<div class="bk-error" role="alert">{plain(error)}</div>' if error else ""
    return f'<div class="bk-block bk-block-{attr(kind)}" data-block-id="{attr(block_id)}">{inner}{tail}</div>'


# ---- blocks ----------------------------------------------------------------------------------


def _header(block: Block, ctx: Context) -> str:
    return f'<div class="bk-header-text">{text(block.get("text"), ctx)}</div>'


def _section(block: Block, ctx: Context) -> str:
    main = ""
    if block.get("text"):
        main += f'<div class="bk-text">{text(block.get("text"), ctx)}</div>'
    fields = block.get("fields") or []
    if fields:
        main += '<div class="bk-fields">' + "".join(f'<div class="bk-field">{text(f, ctx)}</div>' for f in fields) + "</div>"
    accessory = block.get("accessory")
    side = ""
    if isinstance(accessory, Mapping):
        side = f'<div class="bk-accessory">{element_html(accessory, ctx, str(block.get("block_id", "")))}</div>'
    return f'<div class="bk-section-body"><div class="bk-section-main">{main}</div>{side}</div>'


def _context(block: Block, ctx: Context) -> str:
    items = []
    for element in block.get("elements") or []:
        if isinstance(element, Mapping) and element.get("type") == "image":
            items.append(f'<span class="bk-img-mini" title="{attr(element.get("alt_text", ""))}">▣</span>')
        else:
            items.append(f"<span>{text(element, ctx)}</span>")
    return '<div class="bk-context-items">' + "".join(items) + "</div>"


def _divider(block: Block, ctx: Context) -> str:
    return '<hr class="bk-hr">'


# Where the page fetches an uploaded file's bytes (bot.playground.routes serves them).
IMAGE_PATH = "/play/image/"
_FILE_IN_URL = re.compile(r"/files-pri/[A-Z0-9]+-(F[A-Z0-9]+)/|/files/[A-Z0-9]+/(F[A-Z0-9]+)/")


def slack_file_id(image: Block) -> str | None:
    """The id of the uploaded file an image block or element shows (by id, or inside its url)."""
    ref = image.get("slack_file")
    if not isinstance(ref, Mapping):
        return None
    if isinstance(ref.get("id"), str):
        return ref["id"]
    match = _FILE_IN_URL.search(str(ref.get("url", "")))
    return (match.group(1) or match.group(2)) if match else None


def _image(block: Block, ctx: Context) -> str:
    title = f"<figcaption>{text(block['title'], ctx)}</figcaption>" if block.get("title") else ""
    alt = str(block.get("alt_text", "image"))
    file_id = slack_file_id(block)
    if file_id:  # an uploaded file: shown as Slack shows it, the alt text for screen readers
        return (f'<figure class="bk-figure"><img class="bk-image bk-image-file" src="{attr(IMAGE_PATH + file_id)}" '
                f'alt="{attr(alt)}" title="{attr(alt)}" loading="lazy">{title}</figure>')
    # The playground is offline: an image_url is shown as its alt text where the picture would be.
    return f'<figure class="bk-figure"><div class="bk-image">▣ {plain(alt)}</div>{title}</figure>'


def _actions(block: Block, ctx: Context) -> str:
    block_id = str(block.get("block_id", ""))
    elements = "".join(element_html(e, ctx, block_id) for e in block.get("elements") or [] if isinstance(e, Mapping))
    return f'<div class="bk-actions-row">{elements}</div>'


def _input(block: Block, ctx: Context) -> str:
    optional = ' <span class="bk-optional">(optional)</span>' if block.get("optional") else ""
    element = block.get("element") if isinstance(block.get("element"), Mapping) else {}
    control = element_html(element, ctx, str(block.get("block_id", "")), in_input=True,
                           dispatch=bool(block.get("dispatch_action")), required=not block.get("optional"))
    hint = f'<div class="bk-hint">{text(block["hint"], ctx)}</div>' if block.get("hint") else ""
    return f'<label class="bk-label">{text(block.get("label"), ctx)}{optional}</label>{control}{hint}'


def _rich_text(block: Block, ctx: Context) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if node.get("type") == "text":
                parts.append(plain(str(node.get("text", "")), with_emoji=False))
            elif node.get("type") == "link":
                shown = plain(str(node.get("text") or node.get("url", "")), with_emoji=False)
                parts.append(f'<a class="bk-link" href="{attr(node.get("url", ""))}" target="_blank" rel="noopener">{shown}</a>'
                             if str(node.get("url", "")).startswith(("http://", "https://")) else shown)
            elif node.get("type") == "emoji":
                parts.append(plain(f":{node.get('name', '')}:"))
            elif node.get("type") == "user":
                parts.append(f'<span class="bk-mention">@{attr(ctx.users.get(str(node.get("user_id")), node.get("user_id")))}</span>')
            for child in node.get("elements") or []:
                walk(child)
            if node.get("type") in {"rich_text_section", "rich_text_preformatted", "rich_text_quote"}:
                parts.append("<br>")

    walk(block)
    return f'<div class="bk-text">{"".join(parts)}</div>'


def _markdown(block: Block, ctx: Context) -> str:
    return f'<div class="bk-text">{text({"type": "mrkdwn", "text": block.get("text", "")}, ctx)}</div>'


def _file(block: Block, ctx: Context) -> str:
    return f'<div class="bk-file">📎 {attr(block.get("external_id", "file"))}</div>'


BLOCKS: dict[str, Callable[[Block, Context], str]] = {
    "header": _header, "section": _section, "context": _context, "divider": _divider, "image": _image,
    "actions": _actions, "input": _input, "rich_text": _rich_text, "markdown": _markdown, "file": _file,
}


# ---- elements ---------------------------------------------------------------------------------


def _data(element: Block, block_id: str, *, fires: bool) -> str:
    """The attributes the page script reads: where the element is and whether it sends block_actions."""
    found = (f'data-block-id="{attr(block_id)}" data-action-id="{attr(element.get("action_id", ""))}" '
             f'data-type="{attr(element.get("type", ""))}"')
    return found + (" data-fire" if fires else "")


def _option_html(option: Any, ctx: Context, *, selected: set[str]) -> str:
    if not isinstance(option, Mapping):
        return ""
    value = str(option.get("value", ""))
    chosen = " selected" if value in selected else ""
    label = html.unescape(_strip_tags(text(option.get("text"), ctx)))
    return f'<option value="{attr(value)}"{chosen}>{attr(label)}</option>'


def _strip_tags(markup: str) -> str:
    out, inside = [], False
    for char in markup:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            out.append(char)
    return "".join(out)


def _values(element: Block, single: str, many: str) -> set[str]:
    chosen = element.get(single)
    if isinstance(chosen, Mapping):
        return {str(chosen.get("value", ""))}
    if isinstance(chosen, str):
        return {chosen}
    return {str(o.get("value", "")) if isinstance(o, Mapping) else str(o) for o in element.get(many) or []}


def _select(element: Block, ctx: Context, data: str, options: list[tuple[str, str]] | None = None) -> str:
    kind = str(element.get("type", ""))
    multiple = kind.startswith("multi_")
    placeholder = html.unescape(_strip_tags(text(element.get("placeholder") or {"type": "plain_text", "text": "Select"}, ctx)))
    if options is None:
        selected = _values(element, "initial_option", "initial_options")
        body = "".join(_option_html(o, ctx, selected=selected) for o in element.get("options") or [])
        for group in element.get("option_groups") or []:
            inner = "".join(_option_html(o, ctx, selected=selected) for o in group.get("options") or [])
            body += f'<optgroup label="{attr(_strip_tags(text(group.get("label"), ctx)))}">{inner}</optgroup>'
    else:
        initial = {"users_select": "initial_user", "conversations_select": "initial_conversation",
                   "channels_select": "initial_channel"}.get(kind.removeprefix("multi_"), "")
        selected = _values(element, initial, initial + "s")
        body = "".join(f'<option value="{attr(v)}"{" selected" if v in selected else ""}>{attr(n)}</option>'
                       for v, n in options)
    first = "" if multiple else f'<option value="">{attr(placeholder)}</option>'
    return f'<select class="bk-select" {data}{" multiple" if multiple else ""}>{first}{body}</select>'


def _choices(element: Block, ctx: Context, data: str, *, kind: str, block_id: str) -> str:
    selected = _values(element, "initial_option", "initial_options")
    # One HTML group per element, as in Slack: elements of different blocks may share an action_id
    # (state is keyed by block_id, then action_id), and one name would make their radios one group.
    name = attr(f"{block_id}/{element.get('action_id', '')}")
    items = []
    for option in element.get("options") or []:
        value = str(option.get("value", ""))
        checked = " checked" if value in selected else ""
        description = f'<span class="bk-desc">{text(option["description"], ctx)}</span>' if option.get("description") else ""
        items.append(f'<label class="bk-choice"><input type="{kind}" name="{name}" value="{attr(value)}"{checked}>'
                     f"<span>{text(option.get('text'), ctx)}{description}</span></label>")
    return f'<div class="bk-choices" {data}>{"".join(items)}</div>'


def _text_input(element: Block, ctx: Context, data: str, *, required: bool) -> str:
    kind = str(element.get("type"))
    placeholder = html.unescape(_strip_tags(text(element.get("placeholder"), ctx))) if element.get("placeholder") else ""
    limits = "".join(f' {name}="{int(element[key])}"' for key, name in (("max_length", "maxlength"),
                                                                          ("min_length", "minlength")) if key in element)
    common = f'{data} placeholder="{attr(placeholder)}"{limits}{" required" if required else ""}'
    value = element.get("initial_value", "")
    if kind == "plain_text_input" and element.get("multiline"):
        return f'<textarea class="bk-input bk-textarea" rows="4" {common}>{attr(value)}</textarea>'
    input_type = {"number_input": "number", "email_text_input": "email", "url_text_input": "url"}.get(kind, "text")
    step = ' step="any"' if kind == "number_input" and element.get("is_decimal_allowed") else ""
    return f'<input class="bk-input" type="{input_type}"{step} value="{attr(value)}" {common}>'


def element_html(element: Block, ctx: Context, block_id: str, *, in_input: bool = False, dispatch: bool = False,
                 required: bool = False) -> str:
    """One interactive (or image) element; controls outside input blocks send block_actions."""
    kind = str(element.get("type", ""))
    data = _data(element, block_id, fires=not in_input or dispatch)
    if kind == "button":
        style = {"primary": " bk-primary", "danger": " bk-danger"}.get(str(element.get("style", "")), "")
        extra = f' data-url="{attr(element["url"])}"' if element.get("url") else ""
        confirm = element.get("confirm")
        if isinstance(confirm, Mapping):
            question = _strip_tags(text(confirm.get("text"), ctx))
            extra += f' data-confirm="{attr(html.unescape(question))}"'
        return (f'<button type="button" class="bk-button{style}" {data} value="{attr(element.get("value", ""))}"'
                f"{extra}>{text(element.get('text'), ctx)}</button>")
    if kind == "overflow":
        options = "".join(_option_html(o, ctx, selected=set()) for o in element.get("options") or [])
        return f'<select class="bk-overflow" title="More actions" {data}><option value="">⋯</option>{options}</select>'
    if kind in {"static_select", "multi_static_select", "external_select", "multi_external_select"}:
        return _select(element, ctx, data)
    if kind in {"users_select", "multi_users_select"}:
        return _select(element, ctx, data, list(ctx.users.items()))
    if kind in {"conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select"}:
        return _select(element, ctx, data, [(c, "#" + n) for c, n in ctx.channels.items()])
    if kind == "datepicker":
        return f'<input class="bk-input bk-date" type="date" value="{attr(element.get("initial_date", ""))}" {data}>'
    if kind == "timepicker":
        return f'<input class="bk-input bk-time" type="time" value="{attr(element.get("initial_time", ""))}" {data}>'
    if kind in {"checkboxes", "radio_buttons"}:
        return _choices(element, ctx, data, kind="checkbox" if kind == "checkboxes" else "radio", block_id=block_id)
    if kind in {"plain_text_input", "number_input", "email_text_input", "url_text_input"}:
        return _text_input(element, ctx, data, required=required and in_input)
    if kind == "image":
        return f'<span class="bk-image bk-image-small">▣ {plain(str(element.get("alt_text", "image")))}</span>'
    return f'<span class="bk-unknown">Unsupported element: {attr(kind)}</span>'


# ---- surfaces ----------------------------------------------------------------------------------


def message_html(message_text: str, blocks: list[Block], ctx: Context) -> str:
    """A message body: its blocks, or its text when it has none."""
    if blocks:
        return blocks_html(blocks, ctx)
    return f'<div class="bk-text">{text({"type": "mrkdwn", "text": message_text}, ctx)}</div>'


def modal_html(view: Block, ctx: Context) -> str:
    """A modal: title, blocks (with their errors), Close and Submit."""
    close = text(view.get("close") or {"type": "plain_text", "text": "Cancel"}, ctx)
    submit = view.get("submit")
    submit_html = (f'<button type="submit" class="bk-button bk-primary" data-modal-submit>{text(submit, ctx)}</button>'
                   if submit else "")
    return (
        f'<form class="modal" data-view-id="{attr(view.get("id", ""))}" novalidate>'
        f'<header class="modal-head"><span class="modal-title">{text(view.get("title"), ctx)}</span>'
        f'<button type="button" class="modal-x" data-modal-close aria-label="Close">×</button></header>'
        f'<div class="modal-body">{blocks_html(list(view.get("blocks") or []), ctx)}</div>'
        f'<footer class="modal-foot"><button type="button" class="bk-button" data-modal-close>{close}</button>'
        f"{submit_html}</footer></form>"
    )


def debug_json(value: Any) -> str:
    """Pretty JSON, escaped for a <pre>."""
    return attr(json.dumps(value, indent=2, ensure_ascii=False))
