"""Configuration is validated with named errors; logs are structured and carry no text."""

from __future__ import annotations

import json
import logging

import pytest

from moderation_bot.logs import JsonFormatter, fields
from moderation_bot.settings import SettingsError, load_settings


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("MODBOT_"):
            monkeypatch.delenv(name)
    settings = load_settings(_env_file=None)
    assert settings.port == 8080 and not settings.has_platform_tokens


def test_tokens_are_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODBOT_TELEGRAM_TOKEN", "123:abc-secret")
    settings = load_settings(_env_file=None)
    assert settings.has_platform_tokens
    assert "abc-secret" not in repr(settings) and "abc-secret" not in str(settings.model_dump())
    assert settings.telegram_token is not None
    assert settings.telegram_token.get_secret_value() == "123:abc-secret"


def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODBOT_EVIDENCE_RETENTION_DAYS", "0")
    monkeypatch.setenv("MODBOT_CLASSIFIER", "magic")
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert "MODBOT_EVIDENCE_RETENTION_DAYS" in str(error.value)
    assert "MODBOT_CLASSIFIER" in str(error.value)


def test_json_log_lines_carry_fields() -> None:
    record = logging.LogRecord("modbot", logging.INFO, __file__, 1, "message decided", None, None)
    record.fields = fields(case_id=7, scores={"sextortion": 0.9})["fields"]
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "message decided" and line["case_id"] == 7
    assert line["scores"] == {"sextortion": 0.9}
