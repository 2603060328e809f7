"""The production option: the whole stack on a real PostgreSQL (Debian's), our store and Rasa's tracker store."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import create_engine, text

from bot.knowledge import load_knowledge
from bot.stack import Stack
from bot.store.safeguarding import load_or_create_key, pseudonym
from tests.conftest import KNOWLEDGE
from tests.gateway_client import Visitor, visit
from tests.postgres import postgres_server

pytestmark = pytest.mark.slow


def test_a_conversation_is_kept_in_postgresql_across_a_restart(settings, trained_model):
    knowledge = load_knowledge(KNOWLEDGE)
    with postgres_server(port=15433) as url:
        on_postgres = dataclasses.replace(settings, database_url=url, rasa_port=16005, actions_port=16055,
                                          web_port=16080)
        stack = Stack(on_postgres, trained_model).start()
        try:
            async def first():
                async with Visitor(on_postgres) as me:
                    await me.say("i live in clacton")
                    return me.token
            token = visit(first())
            stack.stop()
            stack.start()

            async def second():
                async with Visitor(on_postgres, token) as me:
                    return await me.text("how do i get a council flat")
            assert knowledge.topic("housing").by_district["tendring"].answer in visit(second())
        finally:
            stack.stop()
        ident = pseudonym(load_or_create_key(on_postgres.secret_key_file), f"web:{token}")
        engine = create_engine(url)
        with engine.connect() as connection:
            events = connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": ident}).scalar()
            row = connection.execute(text("SELECT channel, district FROM conversations WHERE id = :i"),
                                     {"i": ident}).one()
        engine.dispose()
        assert events > 0 and tuple(row) == ("web", "tendring")
