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
