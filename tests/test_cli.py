"""`lifeportal ask --json`, as an evaluator would run it."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import subprocess
import sys

import pytest

from bot.settings import load_settings
from bot.training import rasa_env

pytestmark = pytest.mark.slow


def test_ask_json_for_a_question_and_a_file(trained_model, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text("what is staying put\ncan you tell me a joke\n"
                         "the letter from the council came today and i dont understand it\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "--file", str(questions)],
        # From another directory: the model, its spaCy pipeline and custom components must still load.
        capture_output=True, text=True, env=rasa_env(), timeout=600, cwd=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["question"] for r in rows][:2] == ["what is staying put", "can you tell me a joke"]
    assert set(rows[0]) >= {"question", "topic", "intent", "confidence", "crisis", "text", "suggested", "language"}
    assert [r["language"] for r in rows] == ["en", "en", "en"]
    assert rows[0]["suggested"] == []
    # A story the bot is unsure of: the topics it offers, and the buttons the young person sees.
    assert rows[2]["intent"] == "nlu_fallback" and rows[2]["suggested"][0] == "council_tax"
    assert len(rows[2]["suggested"]) == 2
    assert rows[2]["buttons"][0] == "Council tax" and rows[2]["buttons"][-1] == "Contact my PA"
    assert rows[2]["text"].startswith("It sounds like")
    assert rows[0]["topic"] == "staying_put" and rows[0]["crisis"] is False
    assert "Source:" in rows[0]["text"]
    assert rows[1]["topic"] is None and rows[1]["intent"] == "out_of_scope"


def test_ask_json_answers_another_language_as_the_gateway_does(trained_model):
    from bot.knowledge import load_knowledge
    from tests.conftest import KNOWLEDGE

    farsi = load_knowledge(KNOWLEDGE).languages["fa"]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "سلام، کجا می‌توانم یک خانه پیدا کنم؟",
         "من میخواهم خودکشی کنم"],
        capture_output=True, text=True, env=rasa_env(), timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    offer, danger = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert offer["language"] == "fa" and offer["crisis"] is False
    assert offer["text"].startswith(farsi.reads_english.text) and "It looks like you wrote in Farsi" in offer["text"]
    assert offer["buttons"] == [f"{farsi.button.text} / Ask for an interpreter"]
    assert danger["language"] == "fa" and danger["crisis_level"] == "emergency"
    assert "999" in danger["text"] and farsi.reads_english.text not in danger["text"]


def test_ask_json_gives_the_district_answer(trained_model):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "do care leavers pay council tax in Colchester?"],
        capture_output=True, text=True, env=rasa_env(), timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    row = json.loads(result.stdout.strip().splitlines()[-1])
    assert row["topic"] == "council_tax" and row["district"] == "colchester"
    assert "Colchester" in row["text"] and 0 < row["confidence"] <= 1


def test_lifeportal_run_serves_the_page_restarts_a_crashed_child_and_stops_cleanly(trained_model, tmp_path):
    """`make run` as a person uses it: ready message, the page, a crash survived, SIGTERM stops everything."""
    import os
    import signal
    import time

    import requests

    env = dict(rasa_env(), LIFEPORTAL_RASA_PORT="35005", LIFEPORTAL_ACTIONS_PORT="35055",
               LIFEPORTAL_WEB_PORT="38080",
               # The same var/ and models/ (a different one would mean another training), another database.
               LIFEPORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
               # No mail server, as on a fresh machine: notifications go to files.
               LIFEPORTAL_SMTP_HOST="")
    run = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        while not any("is ready" in line for line in lines):
            line = run.stdout.readline()
            assert line, "lifeportal run stopped:\n" + "".join(lines[-30:])
            lines.append(line)
        assert "http://127.0.0.1:38080/" in lines[-1]
        assert requests.get("http://127.0.0.1:38080/", timeout=10).status_code == 200
        os.kill(_child_pid("bot.gateway", "LIFEPORTAL_WEB_PORT=38080"), signal.SIGKILL)
        line = run.stdout.readline()
        while line.startswith(("Advisers sign in at", "Telegram is")):   # printed after "is ready"
            assert "notifications go to files in" in line or "Telegram is" in line, line
            line = run.stdout.readline()
        assert "gateway stopped unexpectedly" in line and "restarting" in line, line
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get("http://127.0.0.1:38080/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        assert requests.get("http://127.0.0.1:38080/healthz", timeout=5).ok
        _ask_for_the_pa_and_get_the_reply(env, load_settings().mail_dir)
        run.send_signal(signal.SIGTERM)
        assert run.wait(60) == 0
        time.sleep(1)
        for port in (35005, 35055, 38080):
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                raise AssertionError(f"something still listens on {port}")
            except requests.ConnectionError:
                pass
    finally:
        if run.poll() is None:
            run.terminate()
            try:
                run.wait(30)
            except subprocess.TimeoutExpired:
                run.kill()


def _child_pid(command_part: str, environment_part: str) -> int:
    from pathlib import Path

    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environment = (proc / "environ").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if command_part in command and environment_part in environment:
            return int(proc.name)
    raise AssertionError(f"no process runs {command_part}")


def _ask_for_the_pa_and_get_the_reply(env: dict, mail_dir) -> None:
    """The issue's "done when": an adviser made with `lifeportal advisers add`, a request from the chat,
    the email in the local mail folder, the reply in the chat while the bot stays quiet."""
    import re
    import time
    import uuid

    from tests.advisers import PASSWORD, InboxClient
    from tests.gateway_client import Visitor, visit

    email = f"dev.{uuid.uuid4().hex[:8]}@example.org"
    added = subprocess.run([sys.executable, "-m", "bot.cli", "advisers", "add", "--name", "Dev Duty", "--email",
                            email, "--team", "Leaving care duty", "--duty-team", "--password-stdin"],
                           env=env, input=PASSWORD + "\n", text=True, capture_output=True, timeout=60)
    assert added.returncode == 0, added.stderr
    settings = dataclasses.replace(load_settings(), web_port=38080)

    async def body():
        async with Visitor(settings) as me:
            await me.say("can i speak to my pa")
            await me.say("I need help with a form")
            await me.say("whenever")
            await me.say("here")
            reference = re.search(r"LP-[A-Z0-9]{5}", await me.text("yes")).group(0)
            deadline = time.monotonic() + 30
            while not any(reference in p.read_text() for p in mail_dir.glob("*.eml")):
                assert time.monotonic() < deadline, "no email in the mail folder"
                await asyncio.sleep(0.5)
            adviser = InboxClient(settings)
            adviser.login(email)
            escalation_id = re.search(r'href="/inbox/requests/(\d+)">' + reference, adviser.get("/inbox/").text).group(1)
            adviser.act(int(escalation_id), "reply", text="Hello, it's Dev from the duty team.")
            events = [await me.next_event(), await me.next_event()]   # picked up, then the reply
            assert events[-1]["sender"] == "adviser" and "Dev from the duty team" in events[-1]["text"]
            assert [e["type"] for e in await me.turn("thank you")] == ["done"]   # the bot stays quiet
    visit(body())


def test_check_knowledge_knows_when_the_model_copy_of_the_crisis_replies_is_stale(trained_model, settings, tmp_path):
    from bot.training import model_is_current, prepare

    assert model_is_current(settings)
    copy = tmp_path / "knowledge"
    shutil.copytree(settings.knowledge_dir, copy)
    crisis = copy / "crisis.yml"
    crisis.write_text(crisis.read_text().replace("116 123", "116 999"))
    try:
        assert not model_is_current(dataclasses.replace(settings, knowledge_dir=copy))
    finally:
        prepare(settings)  # the generated training files back as they were
    assert model_is_current(settings)


def test_knowledge_show_previews_a_district_answer_as_a_young_person_sees_it(settings):
    from bot.knowledge import load_knowledge

    answer = load_knowledge(settings.knowledge_dir).topics["council_tax"].by_district["castle_point"].answer
    shown = subprocess.run([sys.executable, "-m", "bot.cli", "knowledge", "show", "council_tax", "--district", "Canvey"],
                           capture_output=True, text=True, env=rasa_env(), timeout=120)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert shown.stdout.startswith(answer) and "Source:" in shown.stdout and "[Tell me more]" in shown.stdout
    unknown = subprocess.run([sys.executable, "-m", "bot.cli", "knowledge", "show", "council_tax", "--district", "narnia"],
                             capture_output=True, text=True, env=rasa_env(), timeout=120)
    assert unknown.returncode != 0 and "No place 'narnia'" in unknown.stderr
