"""Write mapping entries as TOML (the standard library reads TOML but does not write it)."""

from __future__ import annotations

import json
from typing import Any

# Field order in the files: what a reviewer reads first comes first.
_ENTRY_KEYS = ("kind", "status", "note", "workaround", "sources", "torch_url")
_TARGET_KEYS = (
    "api",
    "sources",
    "category",
    "note",
    "url",
    "diff_url",
    "rename",
    "set_args",
    "defaults",
    "drop_if_default",
    "drop",
    "value_transforms",
    "unsupported",
    "not_on",
    "torch_params",
    "mindspore_params",
    "params",
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _key(key: str) -> str:
    if key.replace("_", "").replace("-", "").isalnum() and key.isascii():
        return key
    return json.dumps(key)


def dump_entries(entries: dict[str, dict[str, Any]]) -> str:
    out: list[str] = []
    for api, entry in entries.items():
        quoted = json.dumps(api)
        out.append(f"\n[{quoted}]")
        for key in _ENTRY_KEYS:
            if key in entry:
                out.append(f"{key} = {toml_value(entry[key])}")
        for target in entry.get("targets", []):
            out += dump_target(quoted, target)
    return "\n".join(out).lstrip("\n") + "\n"


def dump_target(quoted_api: str, target: dict[str, Any], keep_empty: bool = False) -> list[str]:
    """One `[[api.targets]]` table. Empty fields are left out unless `keep_empty` (an
    amendment that clears a wrong field must write it empty)."""
    out = [f"\n[[{quoted_api}.targets]]"]
    for key in _TARGET_KEYS:
        if key not in target or (not keep_empty and target[key] in ({}, [], None)):
            continue
        if key == "params":
            out.append("params = [")
            out.extend(f"  {toml_value(p)}," for p in target[key])
            out.append("]")
        else:
            out.append(f"{key} = {toml_value(target[key])}")
    return out
