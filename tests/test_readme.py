"""The README as a newcomer meets it: every command its user sections show runs, the output it
quotes is what the command prints, and every file path it names exists.

The user sections are everything above `## Contributing`. Commands are the lines of `sh`
blocks, the `$ ` lines of `console` blocks, and inline code that starts with a command
(`mindport`, `make`, `pipx`, `uv`). None is skipped: the install commands run for real, into
temporary folders, from a copy of the repository.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
USER_PART = README.split("\n## Contributing", 1)[0]
BIN = Path(sys.executable).parent  # the `make venv` interpreter's bin folder
COMMAND_WORDS = ("mindport", "make", "pipx", "uv")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
FINDING = re.compile(r"^\S+\.py:\d+:\d+: (error|warning|information|hint) ")


@dataclass
class Shown:
    command: str
    output: list[str] = field(default_factory=list)  # the lines the README quotes after it


def shown_commands(text: str) -> list[Shown]:
    found: list[Shown] = []
    for lang, body in FENCE.findall(text):
        if lang == "sh":
            for line in body.splitlines():
                line = line.split(" #", 1)[0].strip()
                if line and not line.startswith("#"):
                    found.append(Shown(line))
        elif lang == "console":
            for line in body.splitlines():
                if line.startswith("$ "):
                    found.append(Shown(line[2:].strip()))
                elif found and line.strip():
                    found[-1].output.append(line)
    prose = FENCE.sub("", text)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if span.split(" ", 1)[0] in COMMAND_WORDS and " " in span:
            found.append(Shown(span))
    return found


COMMANDS = shown_commands(USER_PART)


def by_word(word: str) -> list[Shown]:
    return [c for c in COMMANDS if c.command.split()[0] == word]


def test_the_user_sections_show_the_workflow() -> None:
    shown = [c.command for c in COMMANDS]
    for expected in ("pipx install .", "uv tool install .", "make venv",
                     "mindport scan examples/", "mindport db show Tensor.size",
                     "mindport doctor", "mindport serve"):  # fmt: skip
        assert expected in shown, expected
    for word in ("convert", "align", "profile"):
        assert any(c.startswith(f"mindport {word} ") for c in shown), word


def run(argv: list[str], timeout: float = 300, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, **kwargs
    )


@pytest.mark.parametrize("shown", by_word("mindport"), ids=lambda c: c.command)
def test_every_mindport_command_runs(shown: Shown) -> None:
    argv = [str(BIN / "mindport"), *shlex.split(shown.command)[1:]]
    out = run(argv, cwd=ROOT)
    # 0 or 1 (findings, a name not found, something that blocks runs); 2 is a usage error
    assert out.returncode in (0, 1), (shown.command, out.stderr[-2000:])
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    if shown.command != "mindport serve":  # the server speaks only when spoken to
        assert out.stdout.strip(), shown.command
    lines = out.stdout.splitlines()
    for quoted in shown.output:
        if FINDING.match(quoted):
            # location, level and `api → target`: the advice after it follows the data
            head = quoted.split(": ", 2)
            prefix = ": ".join(head[:2]) + ": " + head[2].split(": ", 1)[0]
            assert any(line.startswith(prefix) for line in lines), quoted
        else:
            assert any(line.strip().startswith(quoted.strip()[:60]) for line in lines), quoted


@pytest.mark.parametrize("shown", by_word("make"), ids=lambda c: c.command)
def test_every_make_command_runs(shown: Shown) -> None:
    out = run(shlex.split(shown.command), cwd=ROOT, timeout=1800)
    assert out.returncode == 0, out.stderr[-2000:]


def test_make_venv_is_the_venv_the_readme_names() -> None:
    assert "make venv" in [c.command for c in by_word("make")]
    out = run(["make", "venv"], cwd=ROOT, timeout=1800)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (ROOT / ".venv" / "bin" / "mindport").exists()
    assert ".venv/bin/mindport" in USER_PART


def test_make_vsix_builds_the_extension_the_readme_names() -> None:
    assert "make vsix" in [c.command for c in by_word("make")]
    out = run(["make", "vsix"], cwd=ROOT, timeout=1800)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (ROOT / "editors" / "vscode" / "mindport.vsix").is_file()
    assert "editors/vscode/mindport.vsix" in USER_PART


@pytest.fixture(scope="module")
def repository_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's files (tracked and not ignored) as a fresh clone would have them."""
    copy = tmp_path_factory.mktemp("clone") / "mindport"
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT)
    assert listed.returncode == 0, listed.stderr
    for name in listed.stdout.splitlines():
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


def tool_env(home: Path) -> dict[str, str]:
    """pipx and uv install into `home`, never into the user's own folders.

    A user types these commands in a terminal, which sets SHELL; CI runs without one, and
    `uv tool update-shell` refuses to guess the shell then.
    """
    return {
        **os.environ,
        "SHELL": "/bin/bash",
        "HOME": str(home),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PIPX_HOME": str(home / "pipx"),
        "PIPX_BIN_DIR": str(home / ".local" / "bin"),
        "PIPX_MAN_DIR": str(home / "man"),
        "UV_TOOL_DIR": str(home / "uv-tools"),
        "UV_TOOL_BIN_DIR": str(home / ".local" / "bin"),
        "UV_CACHE_DIR": str(home / "uv-cache"),
    }


@pytest.mark.parametrize("word", ["pipx", "uv"])
def test_install_commands_give_a_working_mindport_in_local_bin(
    word: str, repository_copy: Path, tmp_path: Path
) -> None:
    env = tool_env(tmp_path)
    for shown in by_word(word):
        out = run(shlex.split(shown.command), cwd=repository_copy, env=env, timeout=900)
        assert out.returncode == 0, (shown.command, out.stdout[-1500:], out.stderr[-1500:])
    binary = tmp_path / ".local" / "bin" / "mindport"  # where the README says it is
    assert "`~/.local/bin`" in USER_PART
    assert run([str(binary), "--version"], env=env).stdout.startswith("mindport ")
    scanned = run([str(binary), "scan", "examples/"], cwd=repository_copy, env=env)
    assert scanned.returncode == 1 and FINDING.match(scanned.stdout), scanned.stderr[-1500:]
    # the installed package carries the verification results
    shown = run([str(binary), "db", "show", "torch.flatten"], env=env).stdout
    assert "verified on CPU" in shown, shown


# -- every path the README names exists ------------------------------------------------------


def named_paths(text: str) -> set[str]:
    spans = set(re.findall(r"`([^`\n]+)`", FENCE.sub("", text)))
    spans |= set(re.findall(r"\]\(([^)\s]+)\)", text))
    layout = text.split("\n## Layout", 1)[-1]
    for _, body in FENCE.findall(layout):
        spans |= {line.split()[0] for line in body.splitlines() if line[:1].strip()}
    paths = set()
    for span in spans:
        span = span.rstrip(".,:;)")
        if "/" not in span or re.search(r"[\s<>~{}]|://|^-|^\$", span):
            continue
        if not (ROOT / span.split("/")[0]).exists():
            continue  # not a path in this repository (e.g. torch's `torch/nn`)
        paths.add(span)
    return paths


def test_the_readme_names_only_paths_that_exist() -> None:
    paths = named_paths(README)
    assert {"editors/vscode/images/hover-and-problems.png", "docs/editors.md",
            "examples/resnet50/model.py"} <= paths  # fmt: skip
    missing = [p for p in sorted(paths) if not list(ROOT.glob(p.rstrip("/")))]
    assert missing == []
