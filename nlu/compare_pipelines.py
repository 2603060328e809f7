"""Measure intent classifiers on the development sets, to choose config.yml's by numbers, not habit.

Only development sets (tests/data/dev/): choosing a pipeline on a frozen set would make it a validation set.

    .venv/bin/python -m nlu.compare_pipelines

Trains an NLU-only model per candidate (same data as the real model) and prints a table of
intent accuracy on the development sets, training time and parse time.
"""
from __future__ import annotations

import asyncio
import copy
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.settings import load_settings
from bot.training import CONFIG, NLU_DATA, generated_data_path, prepare, rasa_env, training_domain

CANDIDATES: Dict[str, Dict] = {
    "SentenceIntentClassifier (embeddings + char n-grams, LR)": {},
    "SentenceIntentClassifier, embeddings weighted x1.5": {"replace": {"dense_weight": 1.5}},
    "SentenceIntentClassifier, embeddings weighted x2": {"replace": {"dense_weight": 2.0}},
    "SentenceIntentClassifier, embeddings weighted x3": {"replace": {"dense_weight": 3.0}},
    "SentenceIntentClassifier, embeddings x2, C=5": {"replace": {"dense_weight": 2.0, "C": 5.0}},
    "SentenceIntentClassifier, embeddings x2, C=20": {"replace": {"dense_weight": 2.0, "C": 20.0}},
    "SklearnIntentClassifier (embeddings only, SVM)": {"classifier": {"name": "SklearnIntentClassifier"}},
    "DIETClassifier (sparse + embeddings, 30 epochs)": {
        "classifier": {"name": "DIETClassifier", "epochs": 30, "entity_recognition": False, "constrain_similarities": True}},
}


def candidate_config(change: Dict) -> Dict:
    config = yaml.safe_load(CONFIG.read_text())
    pipeline = [c for c in config["pipeline"] if not c["name"].endswith("CrisisDetector")]
    index = next(i for i, c in enumerate(pipeline) if c["name"].endswith("SentenceIntentClassifier"))
    if "classifier" in change:
        pipeline[index] = copy.deepcopy(change["classifier"])
    pipeline[index].update(change.get("replace", {}))
    config["pipeline"] = pipeline
    return config


def evaluate(model: Path, rows: List[Tuple[str, str]]) -> Tuple[float, float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    right, started = 0, time.perf_counter()
    for text, label in rows:
        right += loop.run_until_complete(agent.parse_message(text))["intent"]["name"] == label
    return right / len(rows), (time.perf_counter() - started) / len(rows) * 1000


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.eval_sets import dev_topic_sets

    settings = load_settings()
    prepare(settings)
    sets = dev_topic_sets()
    own = [(r.text, r.topic) for r in sets.get("topics_own.yml", [])]
    # Every other development set: real public wording and the helpers' sets, question- and story-style.
    others = [(r.text, r.topic) for name, set_rows in sets.items() if name != "topics_own.yml" for r in set_rows]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"  # `rasa train nlu` takes one data path
        data.mkdir()
        for source in [*NLU_DATA.glob("*.yml"), generated_data_path(settings)]:
            shutil.copy(source, data / source.name)
        for number, (name, change) in enumerate(CANDIDATES.items()):
            config_path = Path(tmp) / "config.yml"
            config_path.write_text(yaml.safe_dump(candidate_config(change)))
            out = Path(tmp) / f"model-{number}"  # one folder each: the model scored is this candidate's
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config_path),
                            "--nlu", str(data),
                            "--domain", str(training_domain(settings)), "--out", str(out)],
                           # A cache of its own: no candidate is restored from another's, or from an older run.
                           check=True, env={**rasa_env(), "RASA_CACHE_DIRECTORY": str(Path(tmp) / f"cache-{number}")},
                           capture_output=True, cwd=str(settings.var_dir))
            train_seconds = time.perf_counter() - started
            model = next(out.glob("*.tar.gz"))
            own_accuracy, parse_ms = evaluate(model, own)
            others_accuracy = evaluate(model, others)[0] if others else float("nan")
            rows.append((name, own_accuracy, others_accuracy, train_seconds, parse_ms))
    print(f"\n{'candidate':<58} {'own dev':>8} {'other dev':>10} {'train s':>8} {'parse ms':>9}")
    for name, own_accuracy, others_accuracy, train_seconds, parse_ms in rows:
        print(f"{name:<58} {own_accuracy:>8.3f} {others_accuracy:>10.3f} {train_seconds:>8.0f} {parse_ms:>9.1f}")


if __name__ == "__main__":
    main()
