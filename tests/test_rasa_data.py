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
