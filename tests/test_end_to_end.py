"""Conversations through the real Rasa server, trained model and action server (REST channel)."""
from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge
from tests.conftest import KNOWLEDGE
from tests.rasa_client import Conversation

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(KNOWLEDGE)


def test_council_tax_in_colchester_gets_the_colchester_answer_and_source(servers, knowledge):
    reply = Conversation(servers).say("do care leavers pay council tax in Colchester?")
    variant = knowledge.topic("council_tax").by_district["colchester"]
    assert variant.answer in reply[0]["text"]
    assert f"Source: {variant.sources[0].title} {variant.sources[0].url}" in reply[0]["text"]
    assert [b["title"] for b in reply[0]["buttons"]] == ["Tell me more", "Talk to my PA", "Yes, it helped", "No, it didn't"]


def test_the_bot_asks_for_the_district_then_remembers_it(servers, knowledge):
    chat = Conversation(servers)
    asked = chat.say("do i hav to pay council tax")
    assert "Which area are you in?" in asked[0]["text"]
    assert any(b["title"] == "Tendring" for b in asked[0]["buttons"])
    answer = chat.text('/inform_district{"district":"tendring"}')
    assert knowledge.topic("council_tax").by_district["tendring"].answer in answer
    assert chat.slots()["district"] == "tendring"
    # The district is remembered for the rest of the conversation.
    housing = chat.text("how do i get a council flat")
    assert knowledge.topic("housing").by_district["tendring"].answer in housing


def test_a_typed_town_answers_the_district_question(servers, knowledge):
    chat = Conversation(servers)
    chat.say("council tax help for care leavers?")
    answer = chat.text("i live in clacton")
    assert knowledge.topic("council_tax").by_district["tendring"].answer in answer


def test_tell_me_more_follows_the_last_answer(servers, knowledge):
    chat = Conversation(servers)
    first = chat.text("what is staying put")
    assert knowledge.topic("staying_put").answer in first
    more = chat.text("/tell_me_more")
    assert knowledge.topic("staying_put").more.splitlines()[0] in more


def test_greeting_bot_challenge_and_out_of_scope(servers):
    chat = Conversation(servers)
    assert "Life Portal bot" in chat.text("hiya")
    assert "I'm a bot" in chat.text("am i talking to a real person?")
    assert "can't help with that" in chat.text("can you do my maths homework")


def test_asking_for_the_pa_hands_the_turn_to_the_gateway(servers):
    chat = Conversation(servers)
    assert [m.get("custom") for m in chat.say("can i speak to my pa")] == [{"lifeportal": "escalate"}]
    assert [m.get("custom") for m in chat.say("has my pa seen my request yet?")] == [{"lifeportal": "status"}]


@pytest.mark.parametrize("message", [
    "",
    "   ",
    "x" * 20000,
    "<script>alert('hi')</script>",
    "\x00\x01\x02\ufffd\ufffd",
    "qwfp zxcv bnm",
    "¿Dónde puedo encontrar ayuda con el alquiler?",
])
def test_bad_input_gets_a_calm_reply(servers, message):
    reply = Conversation(servers).say(message)
    assert reply, "no reply at all"
    assert all(m.get("text") for m in reply)
    assert "<script>" not in reply[0]["text"]


STORY = "the letter from the council came today and i dont understand it"


def test_a_story_gets_a_kind_sentence_and_the_likeliest_topics_as_buttons(servers, knowledge):
    chat = Conversation(servers)
    [reply] = chat.say(STORY)
    payloads = [button["payload"] for button in reply.get("buttons") or []]
    assert reply["text"].startswith(knowledge.topics["council_tax"].sounds_like)
    assert "not sure I understood" not in reply["text"]
    assert payloads[0] == "/council_tax" and len(payloads) == 3 and payloads[-1] == "/ask_for_pa"
    # Tapping a topic answers it, as if the young person had asked.
    assert knowledge.topics["council_tax"].answer.split(".")[0] in chat.text("/council_tax") or \
        "Which area are you in?" in chat.text("/council_tax")


def test_an_unsure_question_offers_topics_without_the_story_sentence(servers):
    [reply] = Conversation(servers).say("feel like no one explains anything about what happens when im 18?")
    assert reply["text"].startswith("Sorry, I'm not sure I understood.")
    assert len(reply.get("buttons") or []) == 3


def test_free_prescriptions_dentist_and_eye_care_are_answered_with_the_source(servers, knowledge):
    reply = Conversation(servers).text("do care leavers have to pay for prescriptions or the dentist")
    topic = knowledge.topics["free_health_care"]
    assert topic.answer in reply and "25th birthday" in reply
    assert f"Source: {topic.sources[0].title} {topic.sources[0].url}\nChecked: {topic.sources[0].checked:%B %Y}" in reply
