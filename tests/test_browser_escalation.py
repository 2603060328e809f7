"""Two people in two real browsers: a young person asks for their PA; the PA takes over in the inbox."""
from __future__ import annotations

import re

import pytest

from tests.advisers import PASSWORD, link_code, make_advisers
from tests.test_browser import browser  # noqa: F401  (the shared Chromium)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_young_person_and_pa_in_two_browsers(browser, web_chat, servers):  # noqa: F811
    people = make_advisers(servers)
    young_context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    pa_context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        pa = pa_context.new_page()
        pa.goto(web_chat + "inbox/")
        pa.get_by_label("Email").fill(people["pa_a"].email)
        pa.get_by_label("Password").fill(PASSWORD)
        pa.get_by_role("button", name="Sign in").click()
        pa.get_by_role("heading", name="Requests").wait_for()

        me = young_context.new_page()
        me.goto(web_chat)
        me.wait_for_selector(".msg--bot")
        box = me.get_by_label("Type your message")

        def say(text: str) -> None:
            box.fill(text)
            box.press("Enter")

        say(link_code(servers, people["pa_a"].email))
        me.locator(".msg--bot", has_text="linked to Sam North").wait_for(timeout=60000)
        say("can a real person help me?")
        me.get_by_role("button", name="Housing").last.click()
        me.locator(".msg--bot", has_text="tell your PA a bit more").wait_for(timeout=60000)
        say("I got a letter about my tenancy and I don't understand it")
        me.get_by_role("button", name="Today").last.click()
        me.get_by_role("button", name="Here in this chat").last.click()
        me.get_by_role("button", name="Yes, share it").last.click()
        confirmation = me.locator(".msg--bot", has_text="Your reference is LP-")
        confirmation.wait_for(timeout=60000)
        reference = re.search(r"LP-[A-Z0-9]{5}", confirmation.inner_text()).group(0)

        # The PA's list updates by itself, then they open, claim and reply.
        pa.get_by_role("link", name=reference).click(timeout=40000)
        assert "I got a letter about my tenancy" in pa.locator("main").inner_text()
        pa.get_by_role("button", name="Claim: I'll take this").click()
        me.locator(".msg--bot", has_text="Sam North from the leaving care team has picked up").wait_for(timeout=30000)
        pa.get_by_label("Reply to the young person").fill("Hi, it's Sam. Can you send me a photo of the letter?")
        pa.get_by_role("button", name="Send reply").click()
        adviser_message = me.locator(".msg--adviser", has_text="Can you send me a photo of the letter?")
        adviser_message.wait_for(timeout=30000)
        assert "Sam North (your PA)" in adviser_message.inner_text()

        # The young person's next message goes to Sam, live on Sam's page; the bot says nothing.
        bot_before = me.locator(".msg--bot").count()
        say("I can't do photos on my phone, can I bring it in?")
        pa.locator("#live", has_text="can I bring it in?").wait_for(timeout=40000)
        me.wait_for_timeout(2000)
        assert me.locator(".msg--bot").count() == bot_before

        pa.get_by_role("button", name="Hand back to the bot").click()
        me.locator(".msg--bot", has_text="handed you back to the bot").wait_for(timeout=30000)
        say("what is staying put?")
        me.locator(".msg--bot", has_text="Source:").last.wait_for(timeout=60000)
        assert me.locator(".msg--bot").count() > bot_before + 1
    finally:
        young_context.close()
        pa_context.close()
