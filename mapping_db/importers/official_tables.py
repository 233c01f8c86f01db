"""Import the official PyTorch↔MindSpore mapping tables into our reviewed TOML data files.

Reads the parsed tables in shared/reference/mindspore-api-mapping (mapping.jsonl,
diff_pages.jsonl, general_difference_params.jsonl) and writes mapping_db/data/official_*.toml.
Facts only: API names, categories, parameter names and defaults, links. Notes are ours.

    python -m mapping_db.importers.official_tables [--reference DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from mapping_db.categories import difference_is_name_only, normalise
from mapping_db.importers.signatures import parse_signature
from mapping_db.importers.toml_writer import dump_entries

REPO = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference" / "mindspore-api-mapping"
DEFAULT_OUT = REPO / "mapping_db" / "data"
SITE = "https://www.mindspore.cn/docs/en"
TABLE_ORDER = ("master", "r2.4.10")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def namespace_file(torch_api: str) -> str:
    """Which data file an entry lives in."""
    if torch_api.startswith("torch.Tensor."):
        return "official_tensor.toml"
    if torch_api.startswith("torch.nn.functional."):
        return "official_functional.toml"
    if torch_api.startswith("torch.nn."):
        return "official_nn.toml"
    if torch_api.startswith("torch.optim"):
        return "official_optim.toml"
    if torch_api.startswith("torch.") and torch_api.count(".") == 1:
        return "official_torch.toml"
    return "official_other.toml"


def entry_kind(torch_api: str) -> str:
    if torch_api.startswith("torch.Tensor."):
        return "method"
    last = torch_api.rsplit(".", 1)[-1]
    return "class" if last[:1].isupper() else "function"


def diff_page_url(table: str, diff_page: str | None) -> str | None:
    if not diff_page:
        return None
    name = Path(diff_page).stem
    return f"{SITE}/{table}/note/api_mapping/pytorch_diff/{name}.html"


def _clean_name(cell: str | None) -> str | None:
    if cell is None:
        return None
    name = cell.strip().strip("`").strip()
    if name in ("", "-", "—"):
        return None
    return name


def param_facts(page: dict[str, Any], is_class: bool, drop_ok: set[str]) -> dict[str, Any]:
    """Parameter facts of one difference page: params, rename, signatures, defaults."""
    torch_sig = parse_signature(page.get("torch_signature") or "")
    ms_sig = parse_signature(page.get("mindspore_signature") or "")
    facts: list[dict[str, str]] = []
    rename: dict[str, str] = {}
    listed: set[str] = set()
    for row in page.get("diff_table") or []:
        category = (row.get("category") or "").lower()
        if category.startswith(("output", "return")):
            continue
        if is_class and category.startswith("input"):
            continue  # the forward call's inputs, not constructor keywords
        t, m = _clean_name(row.get("pytorch")), _clean_name(row.get("mindspore"))
        if (t is not None and not t.isidentifier()) or (m is not None and not m.isidentifier()):
            continue  # a cell naming several things at once: leave it to the official page
        if t is not None and torch_sig.names and t not in torch_sig.names:
            continue  # not a parameter of the signature: an input of the call, e.g. `input`
        name_only = difference_is_name_only(row.get("difference"))
        if t and m:
            if t == m:
                kind = "same" if name_only else "differs"
            else:
                kind = "rename" if name_only else "rename-differs"
        elif t:
            kind = "torch-only"
        elif m:
            kind = "mindspore-only"
        else:
            continue
        fact: dict[str, str] = {"kind": kind}
        if t:
            fact["torch"] = t
            listed.add(t)
            if t in torch_sig.defaults:
                fact["torch_default"] = torch_sig.defaults[t]
        if m:
            fact["mindspore"] = m
            if m in ms_sig.defaults:
                fact["mindspore_default"] = ms_sig.defaults[m]
        if kind == "same" and fact.get("torch_default") != fact.get("mindspore_default"):
            if "torch_default" in fact and "mindspore_default" in fact:
                fact["kind"] = kind = "default"
        if kind == "same":
            continue  # nothing to say
        if kind == "rename":
            rename[t] = m  # type: ignore[index]
        facts.append(fact)
    defaults = {
        f["torch"]: f["torch_default"]
        for f in facts
        if f["kind"] in ("rename", "default")
        and "torch_default" in f
        and "mindspore_default" in f
        and f["torch_default"] != f["mindspore_default"]
    }
    drop = sorted(f["torch"] for f in facts if f["kind"] == "torch-only" and f["torch"] in drop_ok)
    out: dict[str, Any] = {"params": facts}
    if rename:
        out["rename"] = rename
    if defaults:
        out["defaults"] = defaults
    if drop:
        out["drop_if_default"] = drop
    if torch_sig.positional and ms_sig.positional:
        out["torch_params"] = torch_sig.positional
        out["mindspore_params"] = ms_sig.positional
    return out


def build_entries(reference: Path) -> dict[str, dict[str, Any]]:
    rows = read_jsonl(reference / "mapping.jsonl")
    pages = {(p["table"], p["diff_page"]): p for p in read_jsonl(reference / "diff_pages.jsonl")}
    general = read_jsonl(reference / "general_difference_params.jsonl")
    drop_ok = {g["parameter"] for g in general}

    by_api: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("torch_api"):
            by_api[row["torch_api"]].append(row)

    entries: dict[str, dict[str, Any]] = {}
    for api in sorted(by_api):
        api_rows = sorted(
            by_api[api], key=lambda r: (TABLE_ORDER.index(r["table"]), r["source_line"])
        )
        is_class = entry_kind(api) == "class"
        targets: dict[str, dict[str, Any]] = {}
        for row in api_rows:
            target_api = row["mindspore_api"]
            category = normalise(row.get("category"), row.get("category_class"))
            target = targets.setdefault(target_api, {"api": target_api, "sources": []})
            target["sources"].append(row["table"])
            if "category" not in target or target["category"] == "consistent":
                target["category"] = category.name
                if category.note:
                    target["note"] = category.note
            if category.renamed_to and category.param:
                target.setdefault("rename", {})[category.param] = category.renamed_to
            if row.get("mindspore_url") and "url" not in target:
                target["url"] = row["mindspore_url"]
            page = pages.get((row["table"], row.get("diff_page")))
            if page is not None and "diff_url" not in target:
                target["diff_url"] = diff_page_url(row["table"], row["diff_page"])
                for key, value in param_facts(page, is_class, drop_ok).items():
                    if key == "rename":
                        target.setdefault("rename", {}).update(value)
                    else:
                        target[key] = value
        for target in targets.values():
            target["sources"] = sorted(set(target["sources"]), key=TABLE_ORDER.index)
        differs = any(
            t["category"] != "consistent"
            or any(p["kind"] != "mindspore-only" for p in t.get("params", []))
            for t in targets.values()
        )
        torch_url = next((r["torch_url"] for r in api_rows if r.get("torch_url")), None)
        entry: dict[str, Any] = {
            "kind": entry_kind(api),
            "status": "mapped-with-differences" if differs else "mapped",
            "sources": sorted({r["table"] for r in api_rows}, key=TABLE_ORDER.index),
        }
        if torch_url:
            entry["torch_url"] = torch_url
        entry["targets"] = list(targets.values())
        entries[api] = entry
    return entries


def write_files(entries: dict[str, dict[str, Any]], out: Path) -> dict[str, int]:
    by_file: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for api, entry in entries.items():
        by_file[namespace_file(api)][api] = entry
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    header = (
        "# Generated by `python -m mapping_db.importers.official_tables` from the official\n"
        "# PyTorch/MindSpore mapping tables (master and r2.4.10). Facts only; notes are ours.\n"
        "# Do not edit by hand: put corrections in curated.toml, which overrides this file.\n"
    )
    for name in sorted(by_file):
        (out / name).write_text(header + dump_entries(by_file[name]), encoding="utf-8")
        counts[name] = len(by_file[name])
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.reference / "mapping.jsonl").is_file():
        print(f"error: no mapping.jsonl in {args.reference}", file=sys.stderr)
        return 2
    entries = build_entries(args.reference)
    counts = write_files(entries, args.out)
    for name, count in counts.items():
        print(f"{name}: {count} entries")
    print(f"total: {len(entries)} torch APIs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
