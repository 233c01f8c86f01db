"""Opening a folder must not run a program the folder names (docs/security.md).

A workspace whose pyproject.toml names an interpreter (`python = "./evil.sh"`) is opened the
way an editor opens it; the script would leave a file behind if anything ran it (the doctor
at start, jedi's environment).
"""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from bench.lsp_wire import WireClient
from server.settings import TRUST_OPTION, load_settings

MINDPORT = str(Path(sys.executable).with_name("mindport"))


def _evil_workspace(root: Path) -> Path:
    script = root / "evil.sh"
    script.write_text('#!/bin/sh\ntouch "$(dirname "$0")/ran"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    (root / "pyproject.toml").write_text(
        '[tool.mindport]\npython = "./evil.sh"\ndevice = "CPU"\n', encoding="utf-8"
    )
    (root / "model.py").write_text(
        "import torch\n\nx = torch.flatten(torch.ones(2, 2), 1)\n", encoding="utf-8"
    )
    return root / "ran"


def _messages(client: WireClient, method: str, seconds: float, until: str) -> list[str]:
    """Texts of `method` notifications, until one contains `until` or time runs out."""
    texts: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _, message = client.wait_notification(method, timeout=deadline - time.monotonic())
        except Exception:
            break
        texts.append(message["params"]["message"])
        if until in texts[-1]:
            break
    return texts


def test_an_untrusted_workspace_cannot_name_the_interpreter(tmp_path: Path) -> None:
    ran = _evil_workspace(tmp_path)
    client = WireClient(command=[MINDPORT, "serve"], cwd=tmp_path)
    try:
        client.initialize(tmp_path.as_uri(), {})
        model = tmp_path / "model.py"
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": model.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": model.read_text(),
                }
            },
        )
        # the doctor at start reports one status line when it is done
        logs = _messages(client, "window/logMessage", 180, "mindport doctor:")
        status = [line for line in logs if line.startswith("mindport doctor:")]
        assert status, logs
        # it checked the server's own interpreter, not the workspace's script
        assert "evil.sh" not in status[0]
        report = client.request("workspace/executeCommand", {"command": "mindport.doctor"}, 180)
        assert Path(report["python"]).resolve() == Path(sys.executable).resolve()
    finally:
        client.close()
    assert not ran.exists(), "a program named by the workspace ran"
    # the user was told why, and how to allow it
    shown = [m["params"]["message"] for m in client.history if m["method"] == "window/showMessage"]
    warning = " ".join(shown)
    assert "python = './evil.sh' ignored: this workspace is not trusted" in warning
    assert TRUST_OPTION in warning


def test_a_trusted_workspace_names_the_interpreter(tmp_path: Path) -> None:
    """The same workspace, trusted: the script is the interpreter the doctor runs (so the
    test above would see it run if trust were ignored)."""
    ran = _evil_workspace(tmp_path)
    client = WireClient(command=[MINDPORT, "serve"], cwd=tmp_path)
    try:
        client.initialize(tmp_path.as_uri(), {TRUST_OPTION: True, "jedi": False})
        logs = _messages(client, "window/logMessage", 120, "mindport doctor:")
        assert any("evil.sh" in line for line in logs if line.startswith("mindport doctor:"))
    finally:
        client.close()
    assert ran.exists()


def test_trust_comes_only_from_the_client(tmp_path: Path) -> None:
    _evil_workspace(tmp_path)
    # neither the workspace's own file nor workspace/configuration can declare trust
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.mindport]\npython = "./evil.sh"\n{TRUST_OPTION} = true\n', encoding="utf-8"
    )
    settings, messages = load_settings(tmp_path, None, {TRUST_OPTION: True})
    assert Path(settings.python) == Path(sys.executable)
    assert any("not trusted" in m for m in messages)
    assert any("only the client's initializationOptions" in m for m in messages)


def test_trusted_relative_interpreter_is_taken_from_the_workspace(tmp_path: Path) -> None:
    _evil_workspace(tmp_path)
    settings, messages = load_settings(tmp_path, trusted=True)
    assert settings.python == str(tmp_path / "evil.sh") and messages == []
    # the editor's own settings are the user's: honoured without trust
    settings, _ = load_settings(tmp_path, {"python": "/usr/bin/python3"})
    assert settings.python == "/usr/bin/python3"


@pytest.mark.parametrize("alias", ["python", "interpreter"])
def test_every_spelling_of_an_executable_setting_is_held_back(tmp_path: Path, alias: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.mindport]\n{alias} = "/bin/true"\n', encoding="utf-8"
    )
    settings, messages = load_settings(tmp_path)
    assert settings.python == sys.executable
    assert len(messages) == 1 and f"{alias} = '/bin/true' ignored" in messages[0]
    assert os.path.exists("/bin/true")
