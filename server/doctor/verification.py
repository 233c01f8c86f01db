"""Whether the mapping database's verification results match the installed versions."""

from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path
from typing import Any

from server.doctor.report import Finding

# -- verification results ----------------------------------------------------------------


def default_verified_dir() -> Path | None:
    """mapping_db/data/verified, found without importing mapping_db."""
    spec = importlib.util.find_spec("mapping_db")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "verified"


def _release(version: str) -> tuple[int, ...]:
    """'2.13.0+cpu' -> (2, 13, 0); '2.10' -> (2, 10, 0): local builds and padding compare equal."""
    parts = []
    for piece in version.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts + [0] * (3 - len(parts)))


def _recorded_versions(data: dict[str, Any]) -> dict[str, str]:
    # The results format is still being written: accept the versions at the top level or in a
    # meta/environment/versions table, spelled `mindspore` or `mindspore_version`.
    tables = [data] + [data[k] for k in ("meta", "environment", "versions") if k in data]
    found: dict[str, str] = {}
    for key in ("mindspore", "torch", "device"):
        for table in tables:
            if not isinstance(table, dict):
                continue
            value = table.get(key, table.get(f"{key}_version"))
            if isinstance(value, str) and key not in found:
                found[key] = value
    return found


def check_verification(
    verified_dir: Path | None, device: str, torch_version: str | None, ms_version: str | None
) -> list[Finding]:
    verify = "mindport db verify"
    files = []
    if verified_dir is not None and verified_dir.is_dir():
        files = sorted(p for p in verified_dir.iterdir() if p.suffix in (".json", ".toml"))
    if not files:
        message = f"no verification results yet; run `{verify}`"
        return [Finding("verification", "info", message, fix=verify)]
    findings, current, other_devices = [], [], set()
    installed = {"mindspore": ms_version, "torch": torch_version}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
            versions = _recorded_versions(data) if isinstance(data, dict) else {}
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            message = f"cannot read verification results {path.name}: {exc}"
            findings.append(Finding("verification", "warning", message, fix=verify))
            continue
        if versions.get("device", device).lower() != device.lower():
            other_devices.add(versions["device"])
            continue
        if "mindspore" not in versions or "torch" not in versions:
            message = f"{path.name} does not say which mindspore and torch it was made with"
            findings.append(Finding("verification", "warning", message, fix=verify))
            continue
        stale = [
            f"{name} {versions[name]} (installed: {have})"
            for name, have in installed.items()
            if have is not None and _release(versions[name]) != _release(have)
        ]
        if stale:
            message = (
                f"{path.name} was made with {', '.join(stale)}: answers it verified may be stale"
            )
            findings.append(Finding("verification", "warning", message, fix=verify))
        else:
            current.append(path.name)
    if current:
        message = f"verification results match the installed versions ({', '.join(current)})"
        findings.append(Finding("verification", "ok", message))
    if not findings:
        have = ", ".join(sorted(other_devices))
        message = f"no verification results for {device} yet (there are for {have})"
        findings.append(Finding("verification", "info", message, fix=verify))
    return findings
