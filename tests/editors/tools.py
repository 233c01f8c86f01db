"""What the editor tests need built: code-server (cached outside the clone) and the .vsix."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VSCODE_EXTENSION = ROOT / "editors" / "vscode"
BUILD_CODE_SERVER = VSCODE_EXTENSION / "scripts" / "build-code-server.sh"
CHROMIUM = "/usr/bin/chromium"


def _run(cmd: list[str], cwd: Path, timeout: float) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}) in {cwd}:\n{proc.stdout}\n{proc.stderr}"
        )
    return proc.stdout


def code_server_entry() -> Path:
    """code-server's entry.js, built once into ~/.cache/mindport-editor-tools by the script."""
    folder = Path(_run(["bash", str(BUILD_CODE_SERVER)], ROOT, timeout=1800).strip())
    entry = folder / "node_modules" / "code-server" / "out" / "node" / "entry.js"
    if not entry.is_file():
        raise RuntimeError(f"the code-server build in {folder} has no {entry.name}")
    return entry


def node_modules_ready() -> None:
    """`npm ci` in editors/vscode when node_modules is missing or older than the lock file."""
    installed = VSCODE_EXTENSION / "node_modules" / ".package-lock.json"
    lock = VSCODE_EXTENSION / "package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is required for the VS Code extension (apt-get install nodejs)")
        _run([npm, "ci", "--no-audit", "--no-fund"], VSCODE_EXTENSION, timeout=600)


def build_vsix() -> Path:
    """The extension packaged as `make vsix` does: editors/vscode/mindport.vsix."""
    node_modules_ready()
    _run(["npm", "run", "--silent", "package"], VSCODE_EXTENSION, timeout=300)
    vsix = VSCODE_EXTENSION / "mindport.vsix"
    if not vsix.is_file():
        raise RuntimeError("npm run package wrote no mindport.vsix")
    return vsix


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def screenshot_dir(tmp_path: Path) -> Path:
    """Screenshots go with the test's output; MINDPORT_SCREENSHOTS copies them somewhere kept."""
    wanted = os.environ.get("MINDPORT_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
