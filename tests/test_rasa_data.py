"""Rasa's own check of the training data, domain and rules."""
from __future__ import annotations

import subprocess
import sys

from bot.training import CONFIG, NLU_DATA, generated_data_path, prepare, rasa_env, training_domain


def test_rasa_data_validate(settings):
    prepare(settings)
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings", "--config", str(CONFIG),
         "--domain", str(training_domain(settings)), "--data", str(NLU_DATA), str(generated_data_path(settings).parent)],
        capture_output=True, text=True, env=rasa_env(), cwd=str(settings.var_dir), timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_training_cache_changes_with_what_the_components_read(settings, tmp_path, monkeypatch):
    """Rasa's cache would restore the crisis detector when only its labelled examples changed."""
    import dataclasses

    from bot import training

    examples = tmp_path / "crisis"
    examples.mkdir()
    (examples / "a.csv").write_text("text,label,category,source\nhello,none,small_talk,written\n", encoding="utf-8")
    monkeypatch.setattr(training, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(training, "COMPONENT_INPUTS", (examples,))
    isolated = dataclasses.replace(settings, var_dir=tmp_path / "var")
    before = training.training_cache(isolated)
    assert training.training_cache(isolated) == before
    (examples / "b.csv").write_text("text,label,category,source\nbye,none,small_talk,written\n", encoding="utf-8")
    after = training.training_cache(isolated)
    assert after != before and after.parent == before.parent
