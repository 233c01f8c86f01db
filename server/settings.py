"""One typed settings object, merged from every place a user can set it.

Order (later wins): defaults < `[tool.mindport]` in the workspace's pyproject.toml <
initializationOptions < `workspace/configuration` (section "mindport"). A bad value keeps
the default and produces a message for the user instead of an exception.

Settings that name a program to run (`EXECUTABLE_SETTINGS`) are taken from the workspace's
own files only when the workspace is trusted (docs/security.md): opening a folder must never
run a program that the folder names.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

Device = Literal["CPU", "GPU", "Ascend"]
Mode = Literal["pynative", "graph"]
Severity = Literal["error", "warning", "information", "hint", "off"]

DEVICES: tuple[str, ...] = ("CPU", "GPU", "Ascend")
MODES: tuple[str, ...] = ("pynative", "graph")
SEVERITIES: tuple[str, ...] = ("error", "warning", "information", "hint", "off")

# What kind of finding a diagnostic reports; each has its own configurable severity.
#   no_equivalent  MindSpore has no counterpart
#   differences    a counterpart whose parameters, defaults or behaviour differ
#   consistent     a counterpart that behaves the same (only the name changes)
#   unknown        a torch API the mapping database does not know yet
#   syntax         the file does not parse
#   compliance     a construct that needs another design (custom autograd, hooks, .data, AMP...)
#   graph_mode     Python that MindSpore's graph compiler rejects (only when mode = "graph")
DEFAULT_SEVERITY: dict[str, Severity] = {
    "no_equivalent": "error",
    "differences": "warning",
    "consistent": "off",
    "unknown": "hint",
    "syntax": "error",
    "compliance": "warning",
    "graph_mode": "error",
}


# Settings whose value is a program mindport runs. A workspace file (pyproject.toml) may set
# them only in a trusted workspace. Any new setting that names an executable goes here.
EXECUTABLE_SETTINGS: tuple[str, ...] = ("python",)
# The initialization option by which a client says the user trusts the workspace (VS Code:
# `vscode.workspace.isTrusted`; Neovim and Emacs users set it themselves). Read from
# initializationOptions only, never from workspace/configuration, whose values a workspace's
# own files (.vscode/settings.json) can provide.
TRUST_OPTION = "trustedWorkspace"
PYPROJECT_ORIGIN = "pyproject.toml [tool.mindport]"


@dataclass(frozen=True)
class Settings:
    device: Device = "CPU"
    mindspore_version: str = "2.10"
    python: str = field(default_factory=lambda: sys.executable)
    severity: dict[str, Severity] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    # Report tensor methods found from local evidence ("likely" receivers).
    tensor_methods: bool = True
    # Check the `python` interpreter (torch, mindspore, NumPy, device) when the server starts.
    doctor_at_start: bool = True
    # Ask jedi (in the background, with a time budget) about receivers local evidence leaves open.
    jedi: bool = True
    # How the ported network will run: "pynative" (eager, MindSpore's default) or "graph"
    # (mindspore.jit / GRAPH_MODE). In graph mode, Python inside construct that the graph
    # compiler rejects is reported (kind graph_mode).
    mode: Mode = "pynative"

    def merged(self, raw: dict[str, Any] | None, origin: str) -> tuple[Settings, list[str]]:
        """Apply user-provided values; returns the new settings and messages for bad values."""
        if not raw:
            return self, []
        if not isinstance(raw, dict):
            return self, [f"{origin}: settings must be an object, got {type(raw).__name__}"]
        problems: list[str] = []
        changes: dict[str, Any] = {}
        for key, value in raw.items():
            name = _KEY_ALIASES.get(key, key)
            checker = _CHECKERS.get(name)
            if checker is None:
                problems.append(f"{origin}: unknown setting '{key}' (ignored)")
                continue
            ok, converted, message = checker(value, self)
            if ok:
                changes[name] = converted
            else:
                problems.append(f"{origin}: {key}: {message}; keeping the default")
        for problem in problems:
            log.warning(problem)
        return replace(self, **changes), problems


def _check_device(value: Any, _: Settings) -> tuple[bool, Any, str]:
    if isinstance(value, str):
        for device in DEVICES:
            if value.lower() == device.lower():
                return True, device, ""
    return False, None, f"expected one of {', '.join(DEVICES)}, got {value!r}"


def _check_mode(value: Any, _: Settings) -> tuple[bool, Any, str]:
    if isinstance(value, str):
        word = value.strip().lower().removesuffix("_mode")
        if word in MODES:
            return True, word, ""
    return False, None, f"expected one of {', '.join(MODES)}, got {value!r}"


def _check_version(value: Any, _: Settings) -> tuple[bool, Any, str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value and all(p.isdigit() for p in value.split(".")):
        return True, value, ""
    return False, None, f"expected a version such as '2.10', got {value!r}"


def _check_python(value: Any, _: Settings) -> tuple[bool, Any, str]:
    if isinstance(value, str) and value.strip():
        return True, value.strip(), ""
    return False, None, f"expected the path of a Python interpreter, got {value!r}"


def _check_bool(value: Any, _: Settings) -> tuple[bool, Any, str]:
    if isinstance(value, bool):
        return True, value, ""
    return False, None, f"expected true or false, got {value!r}"


def _check_severity(value: Any, current: Settings) -> tuple[bool, Any, str]:
    if not isinstance(value, dict):
        return False, None, "expected a table of kind = severity"
    merged = dict(current.severity)
    bad: list[str] = []
    for kind, level in value.items():
        if kind not in DEFAULT_SEVERITY:
            bad.append(f"unknown kind {kind!r} (kinds: {', '.join(DEFAULT_SEVERITY)})")
        elif not isinstance(level, str) or level.lower() not in SEVERITIES:
            bad.append(f"{kind} = {level!r} is not one of {', '.join(SEVERITIES)}")
        else:
            merged[kind] = level.lower()
    if bad:
        return False, None, "; ".join(bad)
    return True, merged, ""


_CHECKERS = {
    "device": _check_device,
    "mindspore_version": _check_version,
    "python": _check_python,
    "severity": _check_severity,
    "tensor_methods": _check_bool,
    "doctor_at_start": _check_bool,
    "jedi": _check_bool,
    "mode": _check_mode,
}
_KEY_ALIASES = {
    "mindsporeVersion": "mindspore_version",
    "mindspore-version": "mindspore_version",
    "tensorMethods": "tensor_methods",
    "tensor-methods": "tensor_methods",
    "doctorAtStart": "doctor_at_start",
    "doctor-at-start": "doctor_at_start",
    "interpreter": "python",
    "executionMode": "mode",
    "execution_mode": "mode",
    "execution-mode": "mode",
}


def read_pyproject_settings(folder: Path) -> tuple[dict[str, Any], list[str]]:
    """The `[tool.mindport]` table of folder/pyproject.toml, or {} with a message on errors."""
    path = folder / "pyproject.toml"
    if not path.is_file():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: cannot read [tool.mindport]: {exc}"]
    table = data.get("tool", {}).get("mindport", {})
    if not isinstance(table, dict):
        return {}, [f"{path}: [tool.mindport] must be a table"]
    return table, []


def canonical_key(key: str) -> str:
    return _KEY_ALIASES.get(key, key)


def untrusted_message(key: str, value: Any) -> str:
    return (
        f"{PYPROJECT_ORIGIN}: {key} = {value!r} ignored: this workspace is not trusted, and "
        "a setting that names a program is only taken from a trusted workspace's files. To "
        f"allow it, trust the workspace (VS Code) or start the server with the "
        f"initialization option {TRUST_OPTION} = true (Neovim, Emacs); or set {key} in your "
        "editor's own settings"
    )


def _workspace_table(folder: Path, trusted: bool) -> tuple[dict[str, Any], list[str]]:
    """The workspace's [tool.mindport] table, less what an untrusted workspace may not set;
    in a trusted one, a relative program path is taken from the workspace folder."""
    table, problems = read_pyproject_settings(folder)
    kept: dict[str, Any] = {}
    for key, value in table.items():
        if canonical_key(key) in EXECUTABLE_SETTINGS:
            if not trusted:
                problems.append(untrusted_message(key, value))
                log.warning(problems[-1])
                continue
            if isinstance(value, str) and _is_relative_path(value):
                value = str(folder / value)
        kept[key] = value
    return kept, problems


def take_trust(options: dict[str, Any] | None) -> tuple[bool, dict[str, Any] | None]:
    """Whether initializationOptions say the workspace is trusted (exactly `true`), and the
    options without that key (it is not a setting)."""
    if not isinstance(options, dict) or TRUST_OPTION not in options:
        return False, options
    rest = {k: v for k, v in options.items() if k != TRUST_OPTION}
    return options[TRUST_OPTION] is True, rest


def drop_trust(config: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list[str]]:
    """workspace/configuration may not declare trust (a workspace's own files can set it)."""
    if not isinstance(config, dict) or TRUST_OPTION not in config:
        return config, []
    rest = {k: v for k, v in config.items() if k != TRUST_OPTION}
    message = (
        f"workspace/configuration: {TRUST_OPTION} ignored: only the client's "
        "initializationOptions can say the workspace is trusted"
    )
    return rest, [message]


def _is_relative_path(value: str) -> bool:
    named_by_path = os.sep in value or (os.altsep is not None and os.altsep in value)
    return named_by_path and not os.path.isabs(os.path.expanduser(value))


def load_settings(
    folder: Path | None = None,
    init_options: dict[str, Any] | None = None,
    client_config: dict[str, Any] | None = None,
    *,
    trusted: bool = False,
) -> tuple[Settings, list[str]]:
    """`trusted`: whether the workspace's own files may name programs to run (the client
    said so, or the user ran an explicit command there)."""
    settings = Settings()
    messages: list[str] = []
    if folder is not None:
        table, problems = _workspace_table(folder, trusted)
        messages += problems
        settings, problems = settings.merged(table, PYPROJECT_ORIGIN)
        messages += problems
    settings, problems = settings.merged(init_options, "initializationOptions")
    messages += problems
    client_config, problems = drop_trust(client_config)
    messages += problems
    settings, problems = settings.merged(client_config, "workspace/configuration")
    messages += problems
    return settings, messages
