"""Settings merged from pyproject, initializationOptions and workspace/configuration."""

from __future__ import annotations

from pathlib import Path

from server.settings import DEFAULT_SEVERITY, Settings, load_settings


def test_defaults() -> None:
    settings, messages = load_settings()
    assert settings.device == "CPU"
    assert settings.severity == DEFAULT_SEVERITY
    assert messages == []


def test_precedence_pyproject_then_init_then_client(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mindport]\ndevice = "GPU"\nmindspore_version = "2.4"\n'
        '[tool.mindport.severity]\nconsistent = "hint"\n'
    )
    settings, messages = load_settings(tmp_path, {"device": "ascend"}, {"mindsporeVersion": "2.10"})
    assert messages == []
    assert settings.device == "Ascend"
    assert settings.mindspore_version == "2.10"
    assert settings.severity["consistent"] == "hint"
    assert settings.severity["no_equivalent"] == "error"


def test_bad_values_keep_defaults_with_clear_messages(tmp_path: Path) -> None:
    settings, messages = load_settings(
        tmp_path,
        {"device": "TPU", "severity": {"differences": "loud"}, "colour": 1},
    )
    assert settings == Settings(python=settings.python)
    text = " | ".join(messages)
    assert "device: expected one of CPU, GPU, Ascend, got 'TPU'" in text
    assert "differences = 'loud'" in text
    assert "unknown setting 'colour'" in text


def test_broken_pyproject_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mindport\n")
    settings, messages = load_settings(tmp_path)
    assert settings.device == "CPU"
    assert messages and "cannot read [tool.mindport]" in messages[0]


def test_non_object_settings() -> None:
    settings, messages = Settings().merged(["CPU"], "initializationOptions")  # type: ignore[arg-type]
    assert settings.device == "CPU" and "must be an object" in messages[0]
