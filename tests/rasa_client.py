"""Talk to the private Rasa server directly (on loopback), below the gateway: for NLU and dialogue tests."""
from __future__ import annotations

import uuid
from typing import Any, Dict, List

import requests

from bot.secret import rasa_token
from bot.settings import Settings


class Conversation:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sender = f"test-{uuid.uuid4().hex[:12]}"

    def say(self, text: str) -> List[Dict[str, Any]]:
        response = requests.post(f"{self.settings.rasa_url}/webhooks/rest/webhook",
                                 json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()

    def text(self, text: str) -> str:
        return "\n".join(message.get("text", "") for message in self.say(text))

    def slots(self) -> Dict[str, Any]:
        response = requests.get(f"{self.settings.rasa_url}/conversations/{self.sender}/tracker",
                                params={"token": rasa_token(self.settings)}, timeout=30)
        response.raise_for_status()
        return response.json()["slots"]


def parse(settings: Settings, text: str) -> Dict[str, Any]:
    response = requests.post(f"{settings.rasa_url}/model/parse", params={"token": rasa_token(settings)},
                             json={"text": text}, timeout=60)
    response.raise_for_status()
    return response.json()
