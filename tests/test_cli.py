"""`lifeportal ask --json`, as an evaluator would run it."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.training import rasa_env

pytestmark = pytest.mark.slow


def test_ask_json_for_a_question_and_a_file(trained_model, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text("what is staying put\ncan you tell me a joke\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "--file", str(questions)],
        # From another directory: the model, its spaCy pipeline and custom components must still load.
        capture_output=True, text=True, env=rasa_env(), timeout=600, cwd=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["question"] for r in rows] == ["what is staying put", "can you tell me a joke"]
    assert set(rows[0]) >= {"question", "topic", "intent", "confidence", "crisis", "text"}
    assert rows[0]["topic"] == "staying_put" and rows[0]["crisis"] is False
    assert "Source:" in rows[0]["text"]
    assert rows[1]["topic"] is None and rows[1]["intent"] == "out_of_scope"


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
               LIFEPORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}")
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
        assert "gateway stopped unexpectedly" in line and "restarting" in line, line
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get("http://127.0.0.1:38080/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        assert requests.get("http://127.0.0.1:38080/healthz", timeout=5).ok
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
