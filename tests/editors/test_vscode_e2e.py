"""The VS Code extension in real VS Code: code-server driven by headless Chromium.

What a person would see: the extension installed from its .vsix starts the server from the
interpreter in `mindport.interpreter`, the Problems view lists a mindport diagnostic, hovering
the torch call shows the MindSpore API, the quick fix rewrites the line, and the status bar shows
the device with the environment doctor's verdict. Screenshots of each step are kept with the
test's output (MINDPORT_SCREENSHOTS=DIR keeps them in DIR).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.editors.tools import (
    CHROMIUM,
    build_vsix,
    code_server_entry,
    free_port,
    screenshot_dir,
)

SOURCE = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, bias=False)
"""
NET = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, bias=False)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        return self.fc(x.mean(dim=(2, 3)))


def example_inputs():
    return (torch.randn(2, 3, 8, 8),)
"""
SLOW = """\
import time

import torch
import torch.nn as nn


class Slow(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        time.sleep(120)
        return self.fc(x)


def example_inputs():
    return (torch.randn(2, 4),)
"""
FIXED = "self.conv = mindspore.nn.Conv2d(3, 8, 3, has_bias=False, pad_mode='pad')"
TIMEOUT_MS = 60_000
# Debian's own Python 3.11: no mindport installed there.
BARE_PYTHON = "/usr/bin/python3"


class CodeServer:
    def __init__(self, tmp_path: Path) -> None:
        self.entry = code_server_entry()
        self.vsix = build_vsix()
        self.home = tmp_path / "code-server"
        self.user_data = self.home / "user-data"
        self.extensions = self.home / "extensions"
        self.config = self.home / "config.yaml"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.home / "code-server.log"

    def args(self) -> list[str]:
        return [
            "node",
            str(self.entry),
            "--config",
            str(self.config),
            "--user-data-dir",
            str(self.user_data),
            "--extensions-dir",
            str(self.extensions),
        ]

    def install_extension(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.config.write_text("auth: none\ncert: false\n")
        proc = subprocess.run(
            [*self.args(), "--install-extension", str(self.vsix)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "successfully installed" in proc.stdout + proc.stderr, proc.stdout + proc.stderr

    def write_user_settings(self, settings: dict) -> None:
        folder = self.user_data / "User"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "settings.json").write_text(json.dumps(settings, indent=2))

    def start(self, workspace: Path) -> str:
        env = dict(os.environ)
        env.pop("VSCODE_IPC_HOOK_CLI", None)
        self.process = subprocess.Popen(
            [
                *self.args(),
                "--auth",
                "none",
                "--bind-addr",
                f"127.0.0.1:{self.port}",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                str(workspace),
            ],
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workspace,
        )
        url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"code-server exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(url + "healthz", timeout=2):
                    return f"{url}?folder={workspace}"
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"code-server did not answer on {url}: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "model.py").write_text(SOURCE)
    (folder / "net.py").write_text(NET)
    (folder / "slow.py").write_text(SLOW)
    return folder


@pytest.fixture
def code_server(tmp_path: Path) -> Iterator[CodeServer]:
    server = CodeServer(tmp_path)
    server.install_extension()
    server.write_user_settings(USER_SETTINGS)
    yield server
    server.stop()


USER_SETTINGS = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "extensions.ignoreRecommendations": True,
    "telemetry.telemetryLevel": "off",
    "chat.commandCenter.enabled": False,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "editor.hover.delay": 300,
    "mindport.interpreter": sys.executable,
    "mindport.device": "CPU",
    "mindport.jedi": False,
}


def run_palette(page: Page, command: str) -> None:
    page.keyboard.press("F1")
    box = page.locator(".quick-input-widget input")
    box.wait_for(state="visible", timeout=TIMEOUT_MS)
    box.fill(">" + command)
    page.locator(".quick-input-list .monaco-list-row").first.wait_for(timeout=TIMEOUT_MS)
    page.keyboard.press("Enter")


def open_file(page: Page, name: str, content: str = "class Net") -> None:
    page.keyboard.press("F1")
    box = page.locator(".quick-input-widget input")
    box.wait_for(state="visible", timeout=TIMEOUT_MS)
    box.fill(name)
    page.locator(".quick-input-list .monaco-list-row", has_text=name).first.wait_for(
        timeout=TIMEOUT_MS
    )
    page.keyboard.press("Enter")
    page.locator(".monaco-editor .view-lines", has_text=content).wait_for(timeout=TIMEOUT_MS)


def editor_text(page: Page) -> str:
    lines = page.locator(".monaco-editor .view-lines .view-line").all_inner_texts()
    return "\n".join(line.replace("\u00a0", " ") for line in lines)


@contextmanager
def workbench(url: str, shots: Path) -> Iterator[Page]:
    """Chromium on code-server's page; a screenshot of the failing state if a step fails."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.goto(url)
            page.locator(".monaco-workbench").wait_for(timeout=TIMEOUT_MS)
            yield page
        except Exception:
            page.screenshot(path=str(shots / "failure.png"))
            raise
        finally:
            browser.close()


def test_vscode_shows_diagnostic_hover_quick_fix_and_doctor(
    code_server: CodeServer, workspace: Path, tmp_path: Path
) -> None:
    url = code_server.start(workspace)
    shots = screenshot_dir(tmp_path)
    with workbench(url, shots) as page:
        open_file(page, "model.py")

        # The Problems view lists the mindport diagnostic on the Conv2d call.
        run_palette(page, "View: Focus Problems")
        problem = page.locator(".markers-panel .monaco-list-row", has_text="torch.nn.Conv2d")
        problem.first.wait_for(timeout=TIMEOUT_MS)
        problems = page.locator(".markers-panel").inner_text()
        assert "has_bias" in problems, problems
        page.screenshot(path=str(shots / "1-problems.png"))

        # Hovering the torch call names the MindSpore API.
        token = page.locator(".monaco-editor .view-lines span", has_text="Conv2d").last
        token.hover()
        hover = page.locator(".monaco-hover-content", has_text="mindspore.nn.Conv2d")
        hover.first.wait_for(timeout=TIMEOUT_MS)
        page.screenshot(path=str(shots / "2-hover.png"))
        page.keyboard.press("Escape")

        # The quick fix rewrites the line.
        token.click()
        page.keyboard.press("Control+.")
        action = page.locator(".action-widget .monaco-list-row", has_text="mindspore")
        action.first.wait_for(timeout=TIMEOUT_MS)
        page.screenshot(path=str(shots / "3-quick-fix.png"))
        page.keyboard.press("Enter")  # the first fix is selected
        page.locator(".monaco-editor .view-lines", has_text="has_bias=False").wait_for(
            timeout=TIMEOUT_MS
        )
        assert FIXED in editor_text(page)
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 30
        while FIXED not in (workspace / "model.py").read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        saved = (workspace / "model.py").read_text()
        assert FIXED in saved, saved
        assert "import torch.nn as nn\nimport mindspore" in saved, saved

        # The status bar shows the device and the doctor's verdict (the doctor ran at start).
        status = page.locator(".statusbar-item", has_text="mindport CPU")
        status.first.wait_for(timeout=TIMEOUT_MS)
        status.first.locator(".codicon-check").wait_for(timeout=TIMEOUT_MS)
        page.screenshot(path=str(shots / "4-fixed-and-status.png"))

        # Running the doctor from the palette reports its verdict in a notification.
        run_palette(page, "mindport: Run Environment Doctor")
        verdict = page.locator(".notification-list-item", has_text="nothing blocks runs on CPU")
        verdict.first.wait_for(timeout=TIMEOUT_MS)
        page.screenshot(path=str(shots / "5-doctor.png"))

        # A settings change reaches the running server: `differences` findings as errors.
        run_palette(page, "Preferences: Open User Settings")
        search = page.locator(".settings-editor .settings-header .monaco-editor textarea")
        search.wait_for(timeout=TIMEOUT_MS)
        page.keyboard.type("mindport.severity.differences")
        setting = page.locator(".settings-editor .setting-item-enum", has_text="Differences")
        setting.first.wait_for(timeout=TIMEOUT_MS)
        setting.first.locator("select").select_option("error")
        page.screenshot(path=str(shots / "6-settings-editor.png"))
        run_palette(page, "View: Focus Problems")
        module_row = page.locator(".markers-panel .monaco-list-row", has_text="torch.nn.Module")
        # (the focused row shows a light bulb over its severity icon: attached, not visible)
        module_row.locator(".codicon-error").first.wait_for(state="attached", timeout=TIMEOUT_MS)
        page.screenshot(path=str(shots / "7-setting-changed.png"))

        # Convert File writes model_ms.py beside the file and opens it.
        page.locator(".tabs-container .tab", has_text="model.py").first.click()
        run_palette(page, "mindport: Convert File to MindSpore")
        port_tab = page.locator(".tabs-container .tab", has_text="model_ms.py")
        port_tab.first.wait_for(timeout=TIMEOUT_MS)
        page.locator(".monaco-editor .view-lines", has_text="mindspore.nn.Cell").first.wait_for(
            timeout=TIMEOUT_MS
        )
        notification_center(page, "wrote model_ms.py")
        page.screenshot(path=str(shots / "8-converted.png"))
        assert (workspace / "model_ms.py").exists()


def notification_center(page: Page, text: str, timeout: float = TIMEOUT_MS) -> None:
    """Wait for a message in the notification center (toasts hide themselves after a while)."""
    run_palette(page, "Notifications: Show Notifications")
    center = page.locator(".notifications-center .notification-list-item", has_text=text)
    center.first.wait_for(timeout=timeout)


def test_vscode_runs_alignment_cancels_and_names_the_install_command(
    code_server: CodeServer, workspace: Path, tmp_path: Path
) -> None:
    url = code_server.start(workspace)
    shots = screenshot_dir(tmp_path)
    reports = workspace / ".mindport" / "reports"
    with workbench(url, shots) as page:
        # A run from the palette: the server's summary, the report in a panel beside the editor.
        open_file(page, "net.py", content="example_inputs")
        run_palette(page, "mindport: Run Alignment")
        report = page.locator(".tabs-container .tab", has_text="mindport:")
        report.first.wait_for(timeout=180_000)
        page.screenshot(path=str(shots / "align-1-report.png"))
        notification_center(page, "agree")
        assert len(list(reports.glob("*/index.html"))) == 1

        # A run that takes long: progress in the notification area, its Cancel button stops it.
        page.keyboard.press("Escape")
        open_file(page, "slow.py", content="time.sleep")
        run_palette(page, "mindport: Run Alignment")
        running = page.locator(".notification-list-item", has_text="mindport align: Slow")
        cancel = running.first.locator(".monaco-button", has_text="Cancel")
        cancel.wait_for(timeout=180_000)
        page.screenshot(path=str(shots / "align-2-progress.png"))
        cancel.click()
        notification_center(page, "cancelled")
        page.screenshot(path=str(shots / "align-3-cancelled.png"))
        # An interpreter without mindport: the notification gives the exact install command.
        page.keyboard.press("Escape")
        run_palette(page, "Preferences: Open User Settings")
        page.locator(".settings-editor .settings-header .monaco-editor textarea").wait_for(
            timeout=TIMEOUT_MS
        )
        # a machine-overridable setting: in a remote window (code-server) under "Remote"
        page.locator(
            ".settings-editor .settings-tabs-widget .action-label", has_text="Remote"
        ).click()
        page.keyboard.type("mindport.interpreter")
        setting = page.locator(".settings-editor .setting-item-contents", has_text="Interpreter")
        box = setting.first.locator("input, textarea").first
        box.fill(BARE_PYTHON)
        box.press("Enter")
        notification_center(page, f"Install it with: {BARE_PYTHON} -m pip install mindport")
        page.locator(".statusbar-item", has_text="mindport not installed").first.wait_for(
            timeout=TIMEOUT_MS
        )
        page.screenshot(path=str(shots / "align-4-not-installed.png"))
    assert len(list(reports.glob("*/index.html"))) == 1, "the cancelled run wrote no report"
