"""The knowledge files in `knowledge/`: typed, validated, reloaded when they change."""
from bot.knowledge.model import (
    DISTRICT_IDS,
    TOPIC_IDS,
    CrisisContact,
    District,
    KnowledgeBase,
    Source,
    Topic,
    Variant,
)
from bot.knowledge.errors import KnowledgeError, Problem
from bot.knowledge.loader import load_knowledge
from bot.knowledge.store import KnowledgeStore

__all__ = [
    "DISTRICT_IDS",
    "TOPIC_IDS",
    "CrisisContact",
    "District",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeStore",
    "Problem",
    "Source",
    "Topic",
    "Variant",
    "load_knowledge",
]
