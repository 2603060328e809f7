"""Settings reach child processes exactly as the parent has them."""
from __future__ import annotations

import dataclasses
import subprocess
import sys

from bot.processes import child_env
from bot.settings import load_settings


def test_a_child_reads_the_same_settings_as_its_parent(tmp_path):
    changed = dataclasses.replace(load_settings(), web_port=41234, turn_timeout=2.5, log_message_text=True,
                                  public_url="https://chat.example.org/lifeportal/", var_dir=tmp_path)
    probe = "from bot.settings import load_settings; print(repr(load_settings()))"
    result = subprocess.run([sys.executable, "-c", probe], env=child_env(changed), capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip() == repr(changed)
    assert changed.web_url == "https://chat.example.org/lifeportal/"
    assert "https://chat.example.org" in changed.allowed_origins and child_env(changed)["SANIC_HOST"] == "127.0.0.1"
