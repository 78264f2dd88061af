"""Bad configuration stops the process with a clear message (run in a subprocess)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_check(env_extra, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_fails():
    result = run_check({"DEBUG": "false", "ALLOWED_HOSTS": "xieguan.example"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_unparseable_database_url_fails():
    result = run_check({"DATABASE_URL": "nonsense://"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_bad_boolean_fails():
    result = run_check({"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("db", ["sqlite"])
def test_documented_production_environment_passes_check_deploy(db, tmp_path):
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60 + "-production-secret-not-this-one",
        "ALLOWED_HOSTS": "xieguan.example.cn",
        "CSRF_TRUSTED_ORIGINS": "https://xieguan.example.cn",
        "XIEGUAN_VAR_DIR": str(tmp_path),
    }
    result = run_check(env, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_check({"DEBUG": "false", "ALLOWED_HOSTS": "xieguan.example", "SECRET_KEY": "x" * 49})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_refuses_the_env_example_placeholder_key():
    placeholder = next(
        line.split("=", 1)[1]
        for line in (Path(__file__).resolve().parents[3] / "deploy" / "env.example").read_text().splitlines()
        if line.startswith("SECRET_KEY=")
    )
    result = run_check({"DEBUG": "false", "ALLOWED_HOSTS": "xieguan.example", "SECRET_KEY": placeholder})
    assert result.returncode != 0
    assert "placeholder of deploy/env.example" in result.stderr
