"""Every custom action, run with a real dispatcher and tracker against the real knowledge files."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.base
from actions.answer import ActionAnswerTopic, ActionTellMeMore
from actions.fallback import ActionFallback
from actions.personal_adviser import ActionContactPA, ActionRequestStatus
from bot.knowledge import DISTRICT_IDS, KnowledgeStore, load_knowledge
from tests.conftest import KNOWLEDGE


@pytest.fixture(autouse=True)
def real_knowledge(monkeypatch):
    store = KnowledgeStore(KNOWLEDGE)
    monkeypatch.setattr(actions.base, "knowledge_store", lambda: store)
    return store


def tracker(intent: str, slots: Optional[Dict[str, Any]] = None) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "test", "slots": slots or {},
        "latest_message": {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": "x"},
        "events": [],
    })


def run(action, intent: str, slots: Optional[Dict[str, Any]] = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(intent, slots), {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_a_topic_that_does_not_depend_on_the_district_is_answered_with_its_source():
    messages, slots = run(ActionAnswerTopic(), "staying_put")
    topic = load_knowledge(KNOWLEDGE).topic("staying_put")
    assert messages[0]["response"] == "utter_answer"
    assert messages[0]["answer"] == topic.answer
    assert messages[0]["source_url"] == topic.sources[0].url
    assert slots == {"pending_topic": None, "last_topic": "staying_put"}


def test_council_tax_without_a_district_asks_with_a_button_per_place():
    messages, slots = run(ActionAnswerTopic(), "council_tax")
    assert messages[0]["response"] == "utter_ask_district"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert len(payloads) == len(DISTRICT_IDS)
    assert '/inform_district{"district":"colchester"}' in payloads
    assert slots == {"pending_topic": "council_tax"}


def test_the_district_answer_closes_the_open_question():
    messages, slots = run(ActionAnswerTopic(), "inform_district", {"district": "colchester", "pending_topic": "council_tax"})
    variant = load_knowledge(KNOWLEDGE).topic("council_tax").by_district["colchester"]
    assert messages[0]["answer"] == variant.answer
    assert messages[0]["source_url"] == variant.sources[0].url
    assert slots["pending_topic"] is None and slots["last_topic"] == "council_tax"


def test_a_district_with_no_question_open_is_remembered():
    messages, slots = run(ActionAnswerTopic(), "inform_district", {"district": "harlow"})
    assert messages[0]["response"] == "utter_district_noted"
    assert messages[0]["district_name"] == "Harlow"


def test_tell_me_more_uses_the_last_topic_and_district():
    messages, _ = run(ActionTellMeMore(), "tell_me_more", {"last_topic": "budgeting"})
    assert messages[0]["response"] == "utter_more"
    assert messages[0]["answer"] == load_knowledge(KNOWLEDGE).topic("budgeting").more
    messages, _ = run(ActionTellMeMore(), "tell_me_more", {})
    assert messages[0]["response"] == "utter_nothing_more"


def test_asking_for_the_pa_hands_the_turn_to_the_gateway_and_fallback():
    # The gateway runs the request form and the store; Rasa only recognises the wish.
    messages, _ = run(ActionContactPA(), "ask_for_pa")
    assert [m["custom"] for m in messages] == [{"lifeportal": "escalate"}]
    messages, _ = run(ActionRequestStatus(), "request_status")
    assert messages[0]["custom"] == {"lifeportal": "status"}
    messages, _ = run(ActionFallback(), "nlu_fallback")
    assert messages[0]["response"] == "utter_fallback"


def test_an_edited_answer_is_live_without_restarting(tmp_path: Path, monkeypatch):
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    store = KnowledgeStore(copy)
    monkeypatch.setattr(actions.base, "knowledge_store", lambda: store)
    path = copy / "topics" / "staying_close.yml"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("answer:"))
    end = next(i for i in range(index + 1, len(lines)) if lines[i] and not lines[i].startswith(" "))
    path.write_text("\n".join(lines[:index] + ["answer: A brand new answer from an editor."] + lines[end:]) + "\n")
    messages, _ = run(ActionAnswerTopic(), "staying_close")
    assert messages[0]["answer"] == "A brand new answer from an editor."


def test_a_failing_action_still_replies_kindly(tmp_path: Path, monkeypatch):
    store = KnowledgeStore(tmp_path / "nowhere")  # no knowledge at all: loading fails
    monkeypatch.setattr(actions.base, "knowledge_store", lambda: store)
    messages, slots = run(ActionAnswerTopic(), "housing")
    assert [m["response"] for m in messages] == ["utter_something_went_wrong"]
    assert slots == {}


def test_a_failing_action_gives_the_emergency_number_as_it_is_now(tmp_path: Path, monkeypatch):
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    crisis = copy / "crisis.yml"
    crisis.write_text(crisis.read_text().replace("Call 999", "Call 999 (edited)", 1))
    store = KnowledgeStore(copy)
    monkeypatch.setattr(actions.base, "knowledge_store", lambda: store)

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ActionAnswerTopic, "act", broken)
    messages, _ = run(ActionAnswerTopic(), "housing")
    assert "Call 999 (edited)" in messages[0]["text"] and "something went wrong" in messages[0]["text"]


def test_a_weak_out_of_scope_answer_is_kept_for_editors_and_a_sure_one_is_not(monkeypatch):
    """The out-of-scope reply itself is a domain response; this action only notes a weak one as a gap."""
    import actions.fallback
    from actions.fallback import ActionNoteOutOfScope

    kept = []
    monkeypatch.setattr(actions.fallback, "keep_gap", lambda knowledge, **gap: kept.append(gap))
    for confidence, text in ((0.46, "frobble the wizzlesnark"), (0.93, "who won the football"), (0.2, "/out_of_scope")):
        dispatcher = CollectingDispatcher()
        message = {"intent": {"name": "out_of_scope", "confidence": confidence}, "entities": [], "text": text}
        events = asyncio.run(ActionNoteOutOfScope().run(dispatcher, Tracker.from_dict(
            {"sender_id": "test", "slots": {}, "latest_message": message, "events": []}), {}))
        assert events == [] and dispatcher.messages == []
    assert kept == [{"kind": "unsure", "text": "frobble the wizzlesnark", "topic": "out_of_scope"}]
