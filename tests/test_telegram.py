"""Telegram through the real stack: python-telegram-bot in the gateway against a local Bot API stand-in."""
from __future__ import annotations

import json
import random
import re
import time

import pytest

from bot.gateway.telegram import EDITED, GROUP, NOT_TEXT, START
from bot.knowledge.crisis_replies import EMERGENCY_OPENING
from tests.advisers import InboxClient, link_code, make_advisers

pytestmark = pytest.mark.slow


def new_chat() -> int:
    return random.randint(10_000_000, 99_999_999)


def buttons(sent) -> list:
    return [b for row in json.loads(sent["reply_markup"])["inline_keyboard"] for b in row] if sent.get("reply_markup") else []


def whole_conversation(api, chat: int) -> None:
    """A question with its source, a district button pressed after a crisis in the middle of the
    district question, and a 429 storm survived with every reply delivered once."""
    from bot.knowledge import load_knowledge
    from tests.conftest import KNOWLEDGE

    knowledge = load_knowledge(KNOWLEDGE)
    api.message(chat, "what is staying put?")
    assert "Source:" in api.wait_for(chat, 1)[0]["text"]
    api.message(chat, "do i have to pay council tax")
    district_question = api.wait_for(chat, 2)[1]
    assert "Basildon" in [b["text"] for b in buttons(district_question)]
    api.message(chat, "i want to kms")
    crisis = api.wait_for(chat, 3)[2]
    assert crisis["text"].startswith(EMERGENCY_OPENING)
    api.press(chat, district_question, "Basildon")
    answer = api.wait_for(chat, 4)[3]["text"]
    assert knowledge.topic("council_tax").by_district["basildon"].answer[:60] in answer and "Source:" in answer
    refused = len(api.refused)
    for _ in range(3):
        api.fail("sendMessage", 429, description="Too Many Requests: retry after 1", parameters={"retry_after": 1})
    api.message(chat, "what is staying close?")
    assert "Source:" in api.wait_for(chat, 5, timeout=90)[4]["text"]
    assert len(api.refused) - refused >= 1
    time.sleep(3)
    assert len(api.sent(chat)) == 5   # each reply once


def test_a_whole_conversation_by_long_polling(servers, telegram_api):
    whole_conversation(telegram_api, new_chat())


def test_commands_questions_buttons_and_what_it_cant_read(servers, telegram_api):
    chat = new_chat()
    telegram_api.message(chat, "/start")
    assert telegram_api.wait_for(chat, 1)[0]["text"] == START
    telegram_api.message(chat, "what is staying put?")
    answer = telegram_api.wait_for(chat, 2)[1]
    assert "Source:" in answer["text"]
    titles = [b["text"] for b in buttons(answer)]
    assert titles == ["Tell me more", "Talk to my PA", "Yes, it helped", "No, it didn't"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(answer))
    telegram_api.press(chat, answer, "Tell me more")
    more = telegram_api.wait_for(chat, 3)[2]
    assert "Source:" in more["text"] and more["text"] != answer["text"]
    assert telegram_api.sent(chat, "editMessageReplyMarkup")   # the pressed keyboard is removed
    assert any(c["method"] == "answerCallbackQuery" for c in telegram_api.calls)
    telegram_api.message(chat, None, photo=[{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}])
    assert telegram_api.wait_for(chat, 4)[3]["text"] == NOT_TEXT
    edited = {"message_id": 5, "date": 0, "edit_date": 1, "chat": {"id": chat, "type": "private"},
              "from": {"id": chat, "is_bot": False, "first_name": "T"}, "text": "what is staying close?"}
    telegram_api.push({"edited_message": edited})
    assert telegram_api.wait_for(chat, 5)[4]["text"] == EDITED
    group = -new_chat()
    telegram_api.message(group, "hello bot", chat_type="group")
    assert telegram_api.wait_for(group, 1)[0]["text"] == GROUP
    telegram_api.wait_for(group, 1, method="leaveChat")
    assert len(telegram_api.sent(chat)) == 5   # the edited message was not answered as a new one


def test_a_crisis_on_telegram_and_the_tell_someone_button(servers, telegram_api):
    chat = new_chat()
    telegram_api.message(chat, "i want to end my life")
    crisis = telegram_api.wait_for(chat, 1)[0]
    assert crisis["text"].startswith(EMERGENCY_OPENING) and "999" in crisis["text"]
    telegram_api.press(chat, crisis, "Yes, tell someone now")
    told = telegram_api.wait_for(chat, 2)[1]["text"]
    assert re.search(r"LP-[A-Z0-9]{5}", told) and "duty team" in told


def test_the_pa_on_telegram_adviser_command_reply_and_a_429(servers, telegram_api):
    people = make_advisers(servers)
    chat = new_chat()
    telegram_api.message(chat, f"/link {link_code(servers, people['pa_a'].email)}")
    assert "linked to Sam North" in telegram_api.wait_for(chat, 1)[0]["text"]
    telegram_api.message(chat, "/adviser")
    first = telegram_api.wait_for(chat, 2)[1]
    assert "What is it about?" in first["text"]
    telegram_api.message(chat, "I need help filling in a form for college")
    telegram_api.wait_for(chat, 3)
    telegram_api.message(chat, "today")
    telegram_api.wait_for(chat, 4)
    telegram_api.message(chat, "chat")
    telegram_api.wait_for(chat, 5)
    telegram_api.message(chat, "yes")
    confirmation = telegram_api.wait_for(chat, 6)[5]["text"]
    assert re.search(r"LP-[A-Z0-9]{5}", confirmation), [c["text"][:80] for c in telegram_api.sent(chat)]
    reference = re.search(r"LP-[A-Z0-9]{5}", confirmation).group(0)
    telegram_api.message(chat, "/status")
    assert reference in telegram_api.wait_for(chat, 7)[6]["text"]

    sam = InboxClient(servers)
    sam.login(people["pa_a"].email)
    page = sam.get("/inbox/").text
    found = re.search(r'href="/inbox/requests/(\d+)">' + reference, page)
    assert found, (confirmation, page[-1500:])
    escalation_id = int(found.group(1))
    refused_before = len(telegram_api.refused)
    telegram_api.fail("sendMessage", 429, description="Too Many Requests: retry after 1",
                      parameters={"retry_after": 1})
    sam.act(escalation_id, "reply", text="Hi, it's Sam. I'll call the jobcentre with you.")
    sent = telegram_api.wait_for(chat, 9)
    texts = [c["text"] for c in sent[7:]]
    assert "picked up" in texts[0] and texts[1].startswith("Sam North (your PA):\nHi, it's Sam.")
    # Telegram refused the first try with a 429: it was retried after retry_after, and reached the chat once.
    assert [c["method"] for c in telegram_api.refused[refused_before:]] == ["sendMessage"]
    assert [t for t in texts if "picked up" in t] == [texts[0]]
    telegram_api.message(chat, "thank you so much")   # goes to Sam; the bot stays quiet
    for _ in range(100):
        if "thank you so much" in sam.get(f"/inbox/requests/{escalation_id}").text:
            break
        time.sleep(0.2)
    assert "thank you so much" in sam.get(f"/inbox/requests/{escalation_id}").text
    assert len(telegram_api.sent(chat)) == 9


def test_an_adviser_links_their_telegram_and_gets_a_crisis_notification_once(servers, telegram_api):
    people = make_advisers(servers)
    dev = InboxClient(servers)
    dev.login(people["duty"].email)
    dev.get("/inbox/")
    page = dev.post("/inbox/telegram-code").text
    code = re.search(r"/pa ([A-Z0-9]{4}-[A-Z0-9]{4})", page).group(1)
    pa_chat = new_chat()
    telegram_api.message(pa_chat, f"/pa {code}")
    assert "Thanks, Dev Duty" in telegram_api.wait_for(pa_chat, 1)[0]["text"]
    young = new_chat()
    telegram_api.message(young, "i want to end my life")
    telegram_api.press(young, telegram_api.wait_for(young, 1)[0], "Yes, tell someone now")
    reference = re.search(r"LP-[A-Z0-9]{5}", telegram_api.wait_for(young, 2)[1]["text"]).group(0)
    note = telegram_api.wait_for(pa_chat, 2)[1]["text"]
    assert note.startswith("[CRISIS]") and reference in note and servers.inbox_url in note
    assert "end my life" not in note   # a summary and a link, never their words
    time.sleep(6)   # the next send round would bring any second copy
    assert len(telegram_api.sent(pa_chat)) == 2


def test_webhook_mode_checks_the_secret_header(servers, telegram_api):
    """A second gateway in webhook mode: updates come to its own /telegram route, only with the secret."""
    import dataclasses

    import requests

    from bot.processes import start_gateway, wait_for_gateway

    settings = dataclasses.replace(servers, web_port=18090, telegram_webhook_secret="a-long-random-secret")
    gateway = start_gateway(settings).start()
    try:
        wait_for_gateway(settings, gateway)
        hook = [c for c in telegram_api.calls if c["method"] == "setWebhook"]
        for _ in range(50):
            hook = [c for c in telegram_api.calls if c["method"] == "setWebhook"]
            if hook:
                break
            time.sleep(0.2)
        assert hook and hook[-1]["url"] == "http://127.0.0.1:18090/telegram"
        assert hook[-1]["secret_token"] == "a-long-random-secret"
        chat = new_chat()
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"},
                                              "from": {"id": chat, "is_bot": False, "first_name": "T"},
                                              "text": "what is staying close?"}}
        url = "http://127.0.0.1:18090/telegram"
        assert requests.post(url, json=update, timeout=10).status_code == 403
        assert requests.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                             timeout=10).status_code == 403
        assert telegram_api.sent(chat) == []
        ok = requests.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "a-long-random-secret"},
                           timeout=10)
        assert ok.status_code == 200
        assert "Source:" in telegram_api.wait_for(chat, 1)[0]["text"]
        # The same whole conversation as by polling, with Telegram calling the webhook.
        telegram_api.webhook = lambda update: requests.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "a-long-random-secret"}, timeout=30)
        whole_conversation(telegram_api, new_chat())
    finally:
        telegram_api.webhook = None
        gateway.stop()
    # The polling gateway's own webhook route refuses everything: it is not in webhook mode.
    assert requests.post(servers.web_url + "telegram", json={}, timeout=10,
                         headers={"X-Telegram-Bot-Api-Secret-Token": ""}).status_code == 403


def test_long_replies_are_split_cleanly():
    from bot.gateway.telegram import split_text

    paragraph = "Staying Put lets you stay with your foster carers after 18. " * 30
    text = "\n\n".join([paragraph.strip()] * 4)          # about 7,300 characters
    parts = split_text(text)
    assert len(parts) == 2 and all(len(p) <= 4096 for p in parts)
    assert "".join(p.replace("\n", "") for p in parts).replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in parts)   # cut between words
    assert split_text("x" * 5000)[0] == "x" * 4096                               # no space at all: hard cut


def test_a_5xx_from_telegram_keeps_the_reply_and_sends_it_once_later(servers, telegram_api):
    chat = new_chat()
    telegram_api.fail("sendMessage", 502, description="Bad Gateway")
    telegram_api.message(chat, "what is staying close?")
    answer = telegram_api.wait_for(chat, 1, timeout=40)
    assert "Source:" in answer[0]["text"]
    assert [c["method"] for c in telegram_api.refused][-1] == "sendMessage"
    time.sleep(12)   # one more retry round: nothing more is sent
    assert len(telegram_api.sent(chat)) == 1


def test_forget_on_telegram_erases_the_chat_and_its_address(servers, telegram_api):
    from sqlalchemy import select

    from bot.store import Database
    from bot.store.models import ChannelAddress
    from bot.store.safeguarding import load_or_create_key, pseudonym

    chat = new_chat()
    conversation = pseudonym(load_or_create_key(servers.secret_key_file), f"telegram:{chat}")
    telegram_api.message(chat, "hiya")
    telegram_api.wait_for(chat, 1)
    with Database(servers.database_url).session() as session:
        assert session.get(ChannelAddress, conversation).address == str(chat)
    telegram_api.message(chat, "/forget")
    question = telegram_api.wait_for(chat, 2)[1]
    telegram_api.press(chat, question, "Yes, delete it")
    assert "deleted our chat" in telegram_api.wait_for(chat, 3)[2]["text"]
    with Database(servers.database_url).session() as session:
        assert session.execute(select(ChannelAddress).where(ChannelAddress.conversation_id == conversation)).first() is None


def test_one_person_flooding_does_not_hold_up_someone_else(servers, telegram_api):
    flood, other = new_chat(), new_chat()
    for number in range(40):
        telegram_api.message(flood, f"spam {number}")
    telegram_api.message(other, "what is staying put?")
    assert "Source:" in telegram_api.wait_for(other, 1, timeout=30)[0]["text"]
    replies = telegram_api.wait_for(flood, 40, timeout=90)
    assert any("faster than I can read" in r["text"] for r in replies)   # the flood met the rate limit
