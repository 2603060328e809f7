"""The web chat page in a real headless Chromium (Debian's), driven by Playwright, through the gateway."""
from __future__ import annotations

import shutil

import pytest

from bot.knowledge import load_knowledge
from tests.conftest import KNOWLEDGE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The machine has no network beyond package registries: keep Chromium from calling home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def wait_until(page, expression: str, timeout: float = 30) -> None:
    """Poll a condition from Python: Playwright's wait_for_function polls with eval, which the
    page's Content-Security-Policy (script-src 'self') rightly refuses, so it failed at random."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout}s: {expression}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_chat):
    # A phone-sized screen.
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(web_chat)
    page.wait_for_selector(".msg--bot")  # the welcome message
    yield page
    context.close()


def bot_messages(page):
    return page.locator(".msg--bot .msg__bubble")


def test_a_question_typed_in_the_page_gets_the_colchester_answer_with_its_source(page):
    variant = load_knowledge(KNOWLEDGE).topic("council_tax").by_district["colchester"]
    box = page.get_by_label("Type your message")
    box.fill("do care leavers pay council tax in Colchester?")
    box.press("Enter")
    page.locator(".msg--bot .msg__bubble", has_text=variant.answer[:60]).wait_for(timeout=60000)
    source = page.locator(".msg--bot .msg__bubble", has_text="Source:").last
    source.wait_for(timeout=30000)
    assert source.locator("a").get_attribute("href") == variant.sources[0].url
    buttons = page.get_by_role("group", name="Quick replies").last.get_by_role("button")
    assert buttons.all_inner_texts() == ["Tell me more", "Talk to my PA", "Yes, it helped", "No, it didn't"]


def test_the_district_buttons_work_by_keyboard(page):
    knowledge = load_knowledge(KNOWLEDGE)
    page.get_by_label("Type your message").fill("council tax")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Basildon").wait_for(timeout=60000)
    harlow = page.get_by_role("button", name="Harlow")
    harlow.focus()
    page.keyboard.press("Enter")
    page.locator(".msg--me", has_text="Harlow").wait_for()
    answer = knowledge.topic("council_tax").by_district["harlow"].answer[:60]
    page.locator(".msg--bot .msg__bubble", has_text=answer).wait_for(timeout=60000)


def test_a_crisis_message_in_the_middle_of_the_district_question_gets_the_emergency_reply(page):
    from bot.knowledge.crisis_replies import EMERGENCY_OPENING

    box = page.get_by_label("Type your message")
    box.fill("do i have to pay council tax")
    box.press("Enter")
    page.get_by_role("button", name="Basildon").wait_for(timeout=60000)
    box.fill("i want to kms")
    box.press("Enter")
    reply = page.locator(".msg--bot .msg__bubble", has_text=EMERGENCY_OPENING)
    reply.wait_for(timeout=60000)
    assert "999" in reply.inner_text() and "116 123" in reply.inner_text()
    page.get_by_role("button", name="Yes, tell someone now").wait_for()


def test_html_is_shown_as_text_not_run(page):
    page.get_by_label("Type your message").fill("<img src=x onerror=alert(1)>hello")
    page.get_by_label("Type your message").press("Enter")
    page.locator(".msg--me").first.wait_for()
    assert page.locator(".msg--me img").count() == 0
    assert "<img src=x" in page.locator(".msg--me .msg__bubble").first.inner_text()
    bot_messages(page).nth(1).wait_for(timeout=60000)  # and the bot still answers calmly
    assert page.locator(".msg--bot img").count() == 0


def ask(page, text):
    box = page.get_by_label("Type your message")
    box.fill(text)
    box.press("Enter")


def test_a_reload_continues_the_conversation_with_the_district_remembered(page):
    knowledge = load_knowledge(KNOWLEDGE)
    ask(page, "i live in clacton")
    page.locator(".msg--bot .msg__bubble", has_text="Tendring").wait_for(timeout=60000)
    page.reload()
    # The transcript is still on the screen, and the conversation goes on where it was.
    page.locator(".msg--me", has_text="i live in clacton").wait_for()
    ask(page, "how do i get a council flat")
    answer = knowledge.topic("housing").by_district["tendring"].answer[:60]
    page.locator(".msg--bot .msg__bubble", has_text=answer).wait_for(timeout=60000)


def test_the_page_reconnects_by_itself_and_continues_after_a_full_restart(page, stack):
    knowledge = load_knowledge(KNOWLEDGE)
    ask(page, "i live in clacton")
    page.locator(".msg--bot .msg__bubble", has_text="Tendring").wait_for(timeout=60000)
    stack.stop()
    status = page.locator("#connection")
    wait_until(page, "document.getElementById('connection').textContent.length > 0", timeout=30)
    stack.start()
    wait_until(page, "document.getElementById('connection').textContent === ''", timeout=60)
    assert status.inner_text() == ""
    ask(page, "how do i get a council flat")
    answer = knowledge.topic("housing").by_district["tendring"].answer[:60]
    page.locator(".msg--bot .msg__bubble", has_text=answer).wait_for(timeout=60000)


def test_quick_exit_leaves_at_once_and_clears_the_chat(page, servers):
    page.context.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<h1>Weather</h1>"))
    ask(page, "my secret question about council tax")
    page.locator(".msg--me", has_text="my secret question").wait_for()
    page.get_by_role("button", name="Quick exit").click()
    page.wait_for_url(servers.quick_exit_url + "*", timeout=10000)
    # Back to the chat later: nothing of the earlier conversation is on the screen.
    page.goto(servers.web_url)
    page.wait_for_selector(".msg--bot")
    assert page.locator(".msg--me", has_text="my secret question").count() == 0


def test_the_escape_key_is_a_quick_exit_too(page, servers):
    page.context.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<h1>Weather</h1>"))
    page.keyboard.press("Escape")
    page.wait_for_url(servers.quick_exit_url + "*", timeout=10000)


def test_forget_me_asks_first_then_starts_afresh(page, servers):
    ask(page, "i live in harlow")
    page.locator(".msg--bot .msg__bubble", has_text="Harlow").wait_for(timeout=60000)
    old_token = page.evaluate("localStorage.getItem('lifeportal.token')")
    page.get_by_role("button", name="Forget me").click()
    page.get_by_role("button", name="Yes, delete it").click()
    page.locator(".msg--bot .msg__bubble", has_text="I've deleted our chat").wait_for(timeout=30000)
    assert page.locator(".msg--me", has_text="i live in harlow").count() == 0
    wait_until(page, f"localStorage.getItem('lifeportal.token') && localStorage.getItem('lifeportal.token') !== {old_token!r}")


# One question for each topic added in November 2026, worded afresh (not a training example).
NEW_TOPIC_QUESTIONS = {
    "free_health_care": "do care leavers have to pay for glasses and dentist now",
    "care_leaver_status": "i was in care for 6 months when i was 15, am i a care leaver",
    "id_documents": "how do i get a copy of my birth certificate, i lost mine",
    "complaints_advocacy": "how do i make a complaint about my leaving care team",
    "housing_register": "can i go on the council housing list as a care leaver",
    "turning_21": "what happens to my support when i turn 21",
}


def test_the_new_topics_are_answered_in_the_page_with_source_and_checked_date(page):
    knowledge = load_knowledge(KNOWLEDGE)
    box = page.get_by_label("Type your message")
    for topic_id, question in NEW_TOPIC_QUESTIONS.items():
        topic = knowledge.topic(topic_id)
        box.fill(question)
        box.press("Enter")
        bubble = page.locator(".msg--bot .msg__bubble", has_text=topic.answer[:60]).last
        bubble.wait_for(timeout=60000)
        assert bubble.locator("a").first.get_attribute("href") == topic.sources[0].url, topic_id
        assert f"Checked: {topic.sources[0].checked:%B %Y}" in bubble.inner_text()
    page.get_by_role("button", name="No, it didn't").last.click()
    page.locator(".msg--bot .msg__bubble", has_text="Sorry that didn't help").wait_for(timeout=60000)


def test_a_farsi_message_gets_the_farsi_reply_and_the_button_opens_a_farsi_request(page, servers):
    from sqlalchemy import select

    from bot.store import Database
    from bot.store.models import Escalation
    from tests.advisers import InboxClient, make_advisers

    # Advisers are set up before young people use the bot, as in a deployment.
    people = make_advisers(servers)
    farsi = load_knowledge(KNOWLEDGE).languages["fa"]
    box = page.get_by_label("Type your message")
    box.fill("سلام، کجا می‌توانم یک خانه پیدا کنم؟ من انگلیسی خوب صحبت نمی‌کنم.")
    box.press("Enter")
    reply = page.locator(".msg--bot .msg__bubble", has_text=farsi.question.text)
    reply.wait_for(timeout=60000)
    # The Farsi reply (drafts awaiting review around the published question), each Farsi line right to left.
    for words in (farsi.reads_english, farsi.question, farsi.adviser_interpreter):
        line = reply.locator(".msg__line", has_text=words.text)
        assert line.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert reply.locator(".msg__line", has_text="It looks like you wrote in Farsi").evaluate(
        "element => getComputedStyle(element).direction") == "ltr"
    with Database(servers.database_url).session() as session:
        before = session.execute(select(Escalation.id).order_by(Escalation.id.desc())).scalars().first() or 0
    page.get_by_role("button", name=f"{farsi.button.text} / Ask for an interpreter").click()
    page.locator(".msg--bot .msg__bubble", has_text="Your reference is").wait_for(timeout=60000)
    with Database(servers.database_url).session() as session:
        escalation = session.execute(select(Escalation).where(Escalation.id > before)).scalars().first()
    assert escalation is not None and escalation.language == "fa" and escalation.topic == "interpreter"
    # In the adviser inbox: the request, marked Farsi.
    duty = InboxClient(servers)
    duty.login(people["duty"].email)
    assert escalation.reference in duty.get("/inbox/").text
    page_text = duty.get(f"/inbox/requests/{escalation.id}").text
    assert "Farsi" in page_text and "interpreter" in page_text
