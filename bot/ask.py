"""`lifeportal ask`: run questions through the trained model and say what the bot would answer.

The reply follows the same rules (nlu/data/rules.yml), responses (nlu/domain.yml) and
knowledge replies as the live bot, without needing the servers; a question is asked
as the first message of a new conversation.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import yaml

from bot.knowledge import TOPIC_IDS, KnowledgeBase, KnowledgeStore
from bot.knowledge.answers import Reply, contact_pa_reply, more_reply, suggestion_reply, topic_reply
from bot.settings import PROJECT_ROOT, Settings
from bot.training import latest_model, model_path, prepare

RULES = PROJECT_ROOT / "nlu" / "data" / "rules.yml"

# Custom actions, by name, as pure functions of (knowledge, topic, district, parsed message); None: says nothing.
ReplyMaker = Callable[[KnowledgeBase, Optional[str], Optional[str], Dict[str, Any]], Reply]
ACTION_REPLIES: Dict[str, Optional[ReplyMaker]] = {
    "action_crisis_followup": None,
    "action_note_out_of_scope": None,  # keeps a gap for editors; says nothing
    "action_answer_topic": lambda kb, topic, district, parsed: topic_reply(kb, topic, district),
    "action_tell_me_more": lambda kb, topic, district, parsed: more_reply(kb, None, district),
    # In the chat, the gateway runs the request form; here (no conversation) the PA's details stand in.
    "action_contact_pa": lambda kb, topic, district, parsed: contact_pa_reply(kb),
    "action_request_status": None,   # only the gateway knows a conversation's requests
    "action_fallback": lambda kb, topic, district, parsed: suggestion_reply(
        kb, parsed.get("suggested") or [], bool(parsed.get("story"))),
}


def first_actions_by_intent(rules_path: Path = RULES) -> Dict[str, List[str]]:
    """intent -> the actions its rule runs, read from the same rules the live bot uses."""
    rules = yaml.safe_load(rules_path.read_text())["rules"]
    mapping: Dict[str, List[str]] = {}
    for rule in rules:
        steps = rule["steps"]
        if "intent" in steps[0]:
            mapping[steps[0]["intent"]] = [step["action"] for step in steps[1:] if "action" in step]
    return mapping


class ResponseRenderer:
    """Fills domain responses the way Rasa does, including variations conditioned on slots."""

    def __init__(self, domain_dir: Path) -> None:
        self.responses: Dict[str, List[Dict[str, Any]]] = {}
        for path in sorted(domain_dir.glob("*.yml")):
            self.responses.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})

    def render(self, reply: Reply, slots: Optional[Dict[str, Any]] = None) -> str:
        from rasa.core.nlg.interpolator import interpolate_text

        return interpolate_text(self._variation(reply, slots)["text"], reply.variables)

    def button_titles(self, reply: Reply, slots: Optional[Dict[str, Any]] = None) -> List[str]:
        """The buttons under the message: the action's own, else the response's."""
        return [button["title"] for button in reply.buttons or self._variation(reply, slots).get("buttons") or []]

    def _variation(self, reply: Reply, slots: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        slots = slots or {}
        variations = self.responses[reply.response]
        chosen = next((v for v in variations if v.get("condition") and all(
            slots.get(c["name"]) == c["value"] for c in v["condition"])), None)
        return chosen or next(v for v in variations if not v.get("condition"))


@dataclass
class Asker:
    agent: Any
    store: KnowledgeStore
    renderer: ResponseRenderer
    actions_by_intent: Dict[str, List[str]]
    drafts: bool = True    # settings.draft_translations
    languages: Any = None  # a bot.language.LanguageDetector, made on first use

    @classmethod
    def load(cls, settings: Settings) -> "Asker":
        from rasa.core.agent import Agent

        domain = prepare(settings)
        model = model_path(settings)
        if not model.exists():
            model = latest_model(settings)
        if model is None:
            raise SystemExit("No trained model found: run `make train` first.")
        return cls(Agent.load(str(model)), KnowledgeStore(settings.knowledge_dir),
                   ResponseRenderer(domain), first_actions_by_intent(), settings.draft_translations)

    async def ask(self, question: str) -> Dict[str, Any]:
        parsed = await self.agent.parse_message(question)
        intent = (parsed.get("intent") or {}).get("name")
        confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
        district = next((e["value"] for e in parsed.get("entities", []) if e.get("entity") == "district"), None)
        knowledge = self.store.current()
        crisis_level = (parsed.get("crisis") or {}).get("level")
        texts, buttons = [], []
        for action in self.actions_by_intent.get(intent, ["action_fallback"]):
            if action in ACTION_REPLIES:
                make_reply = ACTION_REPLIES[action]
                if make_reply is not None:
                    topic = intent if intent in TOPIC_IDS else None
                    reply = make_reply(knowledge, topic, district, parsed)
                    texts.append(self.renderer.render(reply))
                    buttons += self.renderer.button_titles(reply)
            else:
                reply = Reply(action, {}, [], {})
                texts.append(self.renderer.render(reply, {"district": district}))
                buttons += self.renderer.button_titles(reply, {"district": district})
        language = self._language(question, knowledge)
        if language.code != "en":
            # As the gateway answers it, before Rasa (bot/gateway/desk.py).
            texts, buttons = self._other_language(language, knowledge, crisis_level, district)
        return {
            "question": question,
            "topic": intent if intent in TOPIC_IDS else None,
            "intent": intent,
            "confidence": round(confidence, 4),
            "crisis": crisis_level is not None,
            "crisis_level": crisis_level,
            "district": district,
            "suggested": list(parsed.get("suggested") or []),
            "language": language.code,
            "text": "\n\n".join(texts),
            "buttons": buttons,
        }


    def _language(self, question: str, knowledge: KnowledgeBase):
        """The message's language ("en", "fa", "ti"...): see bot/language.py."""
        from bot.language import LanguageDetector, knowledge_english_words

        if self.languages is None:
            self.languages = LanguageDetector(knowledge_english_words(knowledge))
        return self.languages.detect(question)

    def _other_language(self, language, knowledge: KnowledgeBase, crisis_level: Optional[str],
                        district: Optional[str]) -> Tuple[List[str], List[str]]:
        from bot.gateway.languages import other_language_crisis_text, other_language_reply
        from bot.gateway.notices import Notices

        texts = knowledge.languages.get(language.code)
        if crisis_level:
            # The gateway also tells the team at once; here there is no conversation to tell them about.
            return [other_language_crisis_text(knowledge, texts, crisis_level, district)], []
        reply = other_language_reply(language, knowledge, Notices(self.store).emergency_lines(), texts, self.drafts)
        return [reply["text"]], [b["title"] for b in reply["buttons"]]


def ask_all(settings: Settings, questions: Iterable[str]) -> Iterable[Dict[str, Any]]:
    from rasa.utils.log_utils import configure_structlog

    # Rasa's structured log prints debug lines (with the message text) to stdout by default;
    # stdout here is for the JSON lines only.
    configure_structlog(logging.ERROR)
    logging.getLogger("rasa").setLevel(logging.ERROR)
    asker = Asker.load(settings)
    loop = asyncio.new_event_loop()
    try:
        for question in questions:
            yield loop.run_until_complete(asker.ask(question))
    finally:
        loop.close()


def show_topic(settings: Settings, topic_id: str, district: Optional[str] = None, more: bool = False) -> str:
    """A topic's answer (or its "tell me more") exactly as a young person sees it, buttons included,
    from the knowledge files as they are now: an editor's preview, no model needed."""
    knowledge = KnowledgeStore(settings.knowledge_dir).current()
    if topic_id not in knowledge.topics:
        raise SystemExit(f"No topic '{topic_id}'. Topics: {', '.join(sorted(knowledge.topics))}.")
    district_id = None
    if district:
        wanted = district.strip().lower()
        district_id = next((d.id for d in knowledge.districts.values()
                            if wanted in {d.id, d.name.lower(), *d.aliases}), None)
        if district_id is None:
            raise SystemExit(f"No place '{district}'. Places: {', '.join(d.name for d in knowledge.districts.values())}.")
    reply = more_reply(knowledge, topic_id, district_id) if more else topic_reply(knowledge, topic_id, district_id)
    renderer = ResponseRenderer(prepare(settings))
    slots = {"district": district_id}
    buttons = "".join(f"\n  [{title}]" for title in renderer.button_titles(reply, slots))
    return renderer.render(reply, slots) + buttons
