"""The adviser inbox's HTML: plain server-made pages, every value escaped, forms carrying the CSRF token."""
from __future__ import annotations

import datetime as dt
from html import escape
from typing import Iterable, List, Optional, Sequence
from zoneinfo import ZoneInfo

from bot.gateway.request_form import CONTACT_NAMES, TOPIC_NAMES
from bot.language import language_name

LONDON = ZoneInfo("Europe/London")
URGENCY_WORDS = {"crisis": "CRISIS", "today": "Today", "this_week": "This week", "whenever": "Whenever"}


def when(at: Optional[dt.datetime]) -> str:
    if at is None:
        return ""
    return at.replace(tzinfo=dt.timezone.utc).astimezone(LONDON).strftime("%a %d %b, %H:%M")


def page(title: str, body: str, *, signed_in_as: str = "", csrf: str = "", updates: str = "") -> str:
    sign_out = (f'<form method="post" action="/inbox/logout" class="inline">{_csrf(csrf)}'
                f'<button type="submit" class="link">Sign out</button></form>') if signed_in_as else ""
    who = f'<p class="who">Signed in as {escape(signed_in_as)} {sign_out}</p>' if signed_in_as else ""
    script = (f'<script src="/static/inbox.js" data-updates="{escape(updates)}"></script>' if updates else "")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} · Life Portal adviser inbox</title>'
            f'<link rel="stylesheet" href="/static/inbox.css"></head><body>'
            f'<header><a href="/inbox/" class="brand">Life Portal adviser inbox</a>{who}</header>'
            f'<main>{body}</main>{script}</body></html>')


def _csrf(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(token)}">'


def login(*, csrf: str, message: str = "") -> str:
    note = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return page("Sign in", f"""<h1>Sign in</h1>{note}
<form method="post" action="/inbox/login" class="stack">{_csrf(csrf)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>""")


def caseload(rows: Sequence, *, adviser_name: str, csrf: str, version: int, code: str = "", telegram: bool = False,
             telegram_on: bool = False) -> str:
    items: List[str] = []
    for escalation, channel in rows:
        urgency = escalation.urgency
        items.append(
            f'<tr class="urgency-{escape(urgency)}"><td><a href="/inbox/requests/{escalation.id}">'
            f'{escape(escalation.reference)}</a></td><td>{escape(URGENCY_WORDS.get(urgency, urgency))}</td>'
            f'<td>{escape(escalation.status)}</td><td>{escape(TOPIC_NAMES.get(escalation.topic or "", "crisis button" if urgency == "crisis" else "not given"))}</td>'
            f'<td>{escape(channel or "erased")}</td><td>{escape(language_name(escalation.language) if escalation.language else "")}</td>'
            f'<td>{when(escalation.created_at)}</td></tr>')
    table = ("<p>No requests waiting. New ones appear here by themselves.</p>" if not items else
             '<table><thead><tr><th>Reference</th><th>Urgency</th><th>Status</th><th>About</th><th>Channel</th>'
             f'<th>Language</th><th>Sent</th></tr></thead><tbody>{"".join(items)}</tbody></table>')
    if telegram:
        shown_code = (f'<p class="code" role="status">Send <strong>{escape(code)}</strong> to the Life Portal bot '
                      'from your own Telegram account. It works once, for 7 days.</p>')
    else:
        shown_code = (f'<p class="code" role="status">Link code for a young person: <strong>{escape(code)}</strong>. '
                      'It works once, for 7 days. They type it in the chat.</p>') if code else ""
    telegram_form = ('<h2>Notifications on Telegram</h2>'
                     f'<form method="post" action="/inbox/telegram-code">{_csrf(csrf)}'
                     '<button type="submit">Get new requests on Telegram too</button></form>') if telegram_on else ""
    body = (f'<h1>Requests</h1><div id="live" data-version="{version}">{table}</div>'
            f'<h2>Link a young person to you</h2>{shown_code}'
            f'<form method="post" action="/inbox/link-code">{_csrf(csrf)}<button type="submit">Make a link code</button></form>'
            f'{telegram_form}')
    return page("Requests", body, signed_in_as=adviser_name, csrf=csrf, updates="/inbox/updates")


def request_page(escalation, *, channel: Optional[str], mode: Optional[str], lines: Iterable, notes: Iterable,
                 history: Iterable, adviser_name: str, csrf: str, version: int, is_holder: bool) -> str:
    eid = escalation.id
    contact = CONTACT_NAMES.get(escalation.contact or "chat", "this chat")
    facts = [("Urgency", URGENCY_WORDS.get(escalation.urgency, escalation.urgency)), ("Status", escalation.status),
             ("About", TOPIC_NAMES.get(escalation.topic or "", "not given")), ("Their words", escalation.details or ""),
             ("Reply by", contact + (f" on {escalation.phone}" if escalation.phone else "")),
             ("Channel", channel or "erased at the young person's request"), ("Language", language_name(escalation.language) if escalation.language else ""),
             ("Sent", when(escalation.created_at)),
             ("Conversation with the bot shared", "yes" if escalation.consent else "no: you see only this form"),
             ("Who answers the young person now", {"adviser": "you (the bot is quiet)" if is_holder else "an adviser",
                                                   "bot": "the bot"}.get(mode or "", "the bot"))]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in facts if v)
    messages = "".join(
        f'<li class="from-{"them" if line.who == "young person" else "adviser"}{" flagged" if line.flagged else ""}">'
        f'<span class="meta">{escape(line.who)} · {when(line.at)}'
        f'{" · CRISIS (" + escape(line.flagged) + "): the bot sent the crisis reply" if line.flagged else ""}</span>'
        f'<span class="text">{escape(line.text)}</span></li>' for line in lines) or "<li>No messages yet.</li>"
    note_items = "".join(f"<li><span class=\"meta\">{escape(name)} · {when(note.at)}</span> {escape(note.text)}</li>"
                         for note, name in notes) or "<li>No notes.</li>"
    steps = "".join(f"<li>{escape(event.status)}{' by ' + escape(name) if name else ''} · {when(event.at)}</li>"
                    for event, name in history)

    def button(action: str, label: str) -> str:
        return (f'<form method="post" action="/inbox/requests/{eid}/{action}" class="inline">{_csrf(csrf)}'
                f'<button type="submit">{escape(label)}</button></form>')
    actions = []
    if escalation.status != "resolved" and not is_holder:
        actions.append(button("claim", "Claim: I'll take this"))
    if mode == "adviser" and is_holder:
        actions.append(button("hand-back", "Hand back to the bot"))
    if escalation.status != "resolved":
        actions.append(button("resolve", "Mark as sorted"))
    transcript = (f'<p><a href="/inbox/requests/{eid}/transcript">Read the conversation with the bot</a> '
                  '(each view is recorded)</p>' if escalation.consent and channel else "")
    reply = ("" if channel is None else
             f'<form method="post" action="/inbox/requests/{eid}/reply" class="stack">{_csrf(csrf)}'
             '<label for="reply">Reply to the young person (they see it in their chat at once)</label>'
             '<textarea id="reply" name="text" rows="3" maxlength="4000" required></textarea>'
             '<button type="submit">Send reply</button></form>')
    body = (f'<h1>Request {escape(escalation.reference)}</h1><div class="actions">{"".join(actions)}</div>'
            f'<div id="live" data-version="{version}"><dl>{dl}</dl>'
            f'<h2>Messages with the young person</h2><ol class="messages">{messages}</ol>'
            f'<h2>Notes (advisers only)</h2><ul>{note_items}</ul><h2>History</h2><ul>{steps}</ul></div>'
            f'{reply}{transcript}'
            f'<form method="post" action="/inbox/requests/{eid}/note" class="stack">{_csrf(csrf)}'
            '<label for="note">Add a note (advisers only)</label>'
            '<textarea id="note" name="text" rows="2" maxlength="4000" required></textarea>'
            '<button type="submit">Add note</button></form>')
    return page(f"Request {escalation.reference}", body, signed_in_as=adviser_name, csrf=csrf,
                updates="/inbox/updates")


def transcript_page(escalation, lines: Optional[List], *, adviser_name: str, csrf: str) -> str:
    if lines is None:
        inner = "<p>The young person did not agree to share their conversation with the bot.</p>"
    else:
        inner = "<ol class=\"messages\">" + ("".join(
            f'<li class="from-{"them" if line.who == "young person" else "bot"}"><span class="meta">{escape(line.who)} · '
            f'{when(line.at)}</span><span class="text">{escape(line.text)}</span></li>' for line in lines)
            or "<li>Nothing was said before the request.</li>") + "</ol>"
    body = (f'<h1>Conversation with the bot: {escape(escalation.reference)}</h1>'
            '<p>Shared with the young person\'s consent. This view has been recorded.</p>'
            f'{inner}<p><a href="/inbox/requests/{escalation.id}">Back to the request</a></p>')
    return page("Conversation", body, signed_in_as=adviser_name, csrf=csrf)


def message(title: str, text: str, *, status_link: str = "/inbox/") -> str:
    return page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p><p><a href=\"{escape(status_link)}\">Back</a></p>")
