"""The settings table of README.md is the one source: editor contributions and docs follow it.

A key added to the table (or removed) fails here until the VS Code contribution and the Neovim,
Emacs and Helix docs say the same; nothing below lists the keys itself.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PACKAGE_JSON = ROOT / "editors" / "vscode" / "package.json"
EDITOR_DOCS = [
    ROOT / "editors" / "nvim" / "README.md",
    ROOT / "editors" / "emacs" / "README.md",
    ROOT / "editors" / "helix" / "README.md",
]
NOT_A_LITERAL = object()


def section(markdown: str, heading: str) -> str:
    """The text under `## heading` up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", markdown, flags=re.MULTILINE)
    assert match, f"no '{heading}' heading"
    level = len(match.group(1))
    rest = markdown[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def table_rows(text: str) -> list[list[str]]:
    """Cells of the first Markdown table in text, header and rule left out."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    assert len(rows) > 2, "no table"
    return rows[2:]


def key_of(cell: str) -> str:
    match = re.fullmatch(r"`([^`]+)`", cell)
    assert match, f"first cell {cell!r} is not a `key`"
    return match.group(1)


def literal(cell: str) -> object:
    """A default written as a JSON literal (`"CPU"`, `true`), else NOT_A_LITERAL."""
    text = cell.strip("`")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return NOT_A_LITERAL


def readme_settings() -> dict[str, object]:
    rows = table_rows(section(README.read_text(encoding="utf-8"), "Settings"))
    return {key_of(row[0]): literal(row[1]) for row in rows}


def readme_severities() -> list[str]:
    text = section(README.read_text(encoding="utf-8"), "Settings")
    match = re.search(r"^Severities: (.+)\.$", text, flags=re.MULTILINE)
    assert match, "no 'Severities: ...' line under ## Settings"
    return re.findall(r"`([^`]+)`", match.group(1))


def vscode_server_settings() -> dict[str, dict]:
    manifest = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    sections = {part["id"]: part for part in manifest["contributes"]["configuration"]}
    properties = sections["mindport.server"]["properties"]
    assert all(key.startswith("mindport.") for key in properties)
    return {key.removeprefix("mindport."): spec for key, spec in properties.items()}


def test_the_readme_table_is_read() -> None:
    settings = readme_settings()
    assert len(settings) >= 5
    assert "device" in settings


def test_vscode_contributes_every_server_setting_and_no_other() -> None:
    assert sorted(vscode_server_settings()) == sorted(readme_settings())


def test_vscode_defaults_match_the_readme() -> None:
    contributed = vscode_server_settings()
    for key, default in readme_settings().items():
        spec = contributed[key]
        if default is NOT_A_LITERAL:
            # e.g. `python`: "the server's interpreter"; empty means the server decides.
            assert spec["default"] == "", key
        else:
            assert spec["default"] == default, key
            assert spec["type"] == {bool: "boolean", str: "string"}[type(default)], key
        assert spec.get("markdownDescription") or spec.get("description"), key


def test_vscode_severity_settings_offer_the_readme_severities() -> None:
    severities = readme_severities()
    for key, spec in vscode_server_settings().items():
        if key.startswith("severity."):
            assert spec["enum"] == severities, key


def test_vscode_editor_only_settings_do_not_shadow_server_settings() -> None:
    manifest = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    sections = {part["id"]: part for part in manifest["contributes"]["configuration"]}
    editor = {key.removeprefix("mindport.") for key in sections["mindport.editor"]["properties"]}
    assert not editor & set(readme_settings())


@pytest.mark.parametrize("doc", EDITOR_DOCS, ids=lambda p: p.parent.name)
def test_editor_docs_list_every_server_setting(doc: Path) -> None:
    rows = table_rows(section(doc.read_text(encoding="utf-8"), "Settings"))
    documented = {key_of(row[0]): literal(row[1]) for row in rows}
    readme = readme_settings()
    assert sorted(documented) == sorted(readme)
    for key, default in readme.items():
        if default is not NOT_A_LITERAL:
            assert documented[key] == default, f"{doc.parent.name}: {key}"


def flatten(table: dict, prefix: str = "") -> list[str]:
    keys: list[str] = []
    for key, value in table.items():
        if isinstance(value, dict):
            keys += flatten(value, f"{prefix}{key}.")
        else:
            keys.append(prefix + key)
    return keys


def test_helix_example_sets_only_server_settings() -> None:
    config = tomllib.loads((ROOT / "editors" / "helix" / "languages.toml").read_text())
    example = config["language-server"]["mindport"]["config"]["mindport"]
    keys = flatten(example)
    assert keys
    assert set(keys) <= set(readme_settings()), keys
