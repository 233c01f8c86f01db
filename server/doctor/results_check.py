"""Whether the mapping database's verification results match the installed versions.

The results files are read with mapping_db.verification, the one parser of their format.
"""

from __future__ import annotations

from pathlib import Path

from mapping_db.verification import VERIFIED_DIR, read, same_release
from server.doctor.report import Finding


def default_verified_dir() -> Path:
    return VERIFIED_DIR


def check_verification(
    verified_dir: Path | None, device: str, torch_version: str | None, ms_version: str | None
) -> list[Finding]:
    verify = "mindport db verify"
    missing = [name for name, have in (("torch", torch_version), ("mindspore", ms_version))
               if have is None]  # fmt: skip
    if missing:
        # Results say which versions agree; with a framework missing there is nothing to match.
        message = f"not applicable: {' and '.join(missing)} cannot run in this interpreter"
        return [Finding("verification", "n/a", message)]
    files = []
    if verified_dir is not None and verified_dir.is_dir():
        files = sorted(verified_dir.glob("*.json"))
    if not files:
        message = f"no verification results yet; run `{verify}`"
        return [Finding("verification", "info", message, fix=verify)]
    findings, current, other_devices = [], [], set()
    installed: dict[str, str] = {"mindspore": ms_version, "torch": torch_version}
    for path in files:
        try:
            results = read(path)
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            message = f"cannot read verification results {path.name}: {exc}"
            findings.append(Finding("verification", "warning", message, fix=verify))
            continue
        if results.device.lower() != device.lower():
            other_devices.add(results.device)
            continue
        recorded = {"mindspore": results.mindspore, "torch": results.torch}
        stale = [
            f"{name} {recorded[name]} (installed: {have})"
            for name, have in installed.items()
            if not same_release(recorded[name], have)
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
