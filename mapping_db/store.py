"""Load the mapping database and answer queries: by qualified name, Tensor method, text.

The reviewed TOML files are the source of truth. Parsing ~1,000 entries of TOML costs more
than the 50 ms load budget, so the parsed records are cached (pickle) in the user's cache
folder, keyed by the data files' content hash, and rebuilt whenever a file changes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from mapping_db.model import Entry, ParamFact, Target
from mapping_db.verification import (
    VERIFIED_DIR,
    WORKAROUND,
    TargetResult,
    Verification,
    results_for,
)

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
CURATED = "curated.toml"
_CACHE_FORMAT = 4  # bump when the records' shape changes

_TARGET_FIELDS = {
    "api", "sources", "category", "note", "url", "diff_url", "rename", "set_args", "defaults",
    "drop_if_default", "unsupported", "not_on", "torch_params", "mindspore_params", "params",
    "drop", "value_transforms",
}  # fmt: skip
_ENTRY_FIELDS = {"kind", "status", "note", "torch_url", "sources", "targets", "workaround"}


# How close a target is to torch, for choosing between targets that both run on a device.
_CATEGORY_RANK = {
    "consistent": 0,
    "mindspore-extra-param": 1,
    "torch-only-param": 1,
    "param-names": 2,
    "param-defaults": 2,
    "param-types": 3,
    "param-count": 3,
    "overload": 3,
}


class DataError(ValueError):
    """A data file holds something the loader cannot accept; the message names it."""


# Verification outcomes that mean "does not run here": such a target is not picked when
# another one runs. A mismatch still runs (and its difference is shown); equal ranks first.
FAILING = frozenset({"error", "crash", "timeout"})
_VERIFIED_RANK = {"equal": 0, "untested": 1, "mismatch": 2}


class MappingDB:
    def __init__(self, entries: dict[str, Entry], verified_dir: Path = VERIFIED_DIR) -> None:
        self._entries = entries
        self._verified_dir = verified_dir
        self._verification: dict[str, Verification | None] = {}
        self._methods = {
            name.removeprefix("torch.Tensor."): e
            for name, e in entries.items()
            if name.startswith("torch.Tensor.")
        }
        modules: set[str] = set()
        for name in entries:
            parts = name.split(".")
            for i in range(1, len(parts)):
                modules.add(".".join(parts[:i]))
        # Names that are classes (torch.Tensor, torch.nn.Module) are prefixes too: not modules.
        self._modules = modules - set(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries.values())

    def get(self, torch_api: str) -> Entry | None:
        return self._entries.get(torch_api)

    def tensor_method(self, name: str) -> Entry | None:
        return self._methods.get(name)

    def has_module(self, qualified_prefix: str) -> bool:
        return qualified_prefix in self._modules

    def search(self, text: str, limit: int = 20) -> list[Entry]:
        needle = text.strip().lower()
        if not needle:
            return []
        scored: list[tuple[int, str, Entry]] = []
        for name, entry in self._entries.items():
            lowered = name.lower()
            last = lowered.rsplit(".", 1)[-1]
            if lowered == needle:
                rank = 0
            elif last == needle:
                rank = 1
            elif last.startswith(needle):
                rank = 2
            elif needle in lowered:
                rank = 3
            elif any(needle in t.api.lower() for t in entry.targets):
                rank = 4
            elif needle in entry.note.lower():
                rank = 5
            else:
                continue
            scored.append((rank, name, entry))
        # on a tie, entries from the official tables and ours before derived ones
        scored.sort(
            key=lambda item: (item[0], item[2].sources == ("derived",), len(item[1]), item[1])
        )
        return [entry for _, _, entry in scored[:limit]]

    def verification(self, device: str) -> Verification | None:
        """The verification results for `device` (read once, on first use)."""
        if device not in self._verification:
            self._verification[device] = results_for(device, directory=self._verified_dir)
        return self._verification[device]

    def verified(self, entry: Entry, target: Target, device: str) -> TargetResult | None:
        results = self.verification(device)
        return results.get(entry.torch_api, target.api) if results is not None else None

    def workaround_verified(self, entry: Entry, device: str) -> TargetResult | None:
        """The result of running a no-equivalent entry's workaround formula on `device`."""
        results = self.verification(device)
        return results.get(entry.torch_api, WORKAROUND) if results is not None else None

    def pick_target(self, entry: Entry, device: str) -> Target | None:
        """The target to use on `device`: one that runs there (not marked off the device, and
        not failing verification there when another target runs), verified equal first, then
        curated, then the newest table's on devices where mint kernels are registered and the
        ops/nn one on CPU (DESIGN decision 6), then the closest category."""
        usable = [t for t in entry.targets if device not in t.not_on]
        if not usable:
            return None
        verdicts = {t.api: self.verified(entry, t, device) for t in usable}
        running = [t for t in usable if (v := verdicts[t.api]) is None or v.status not in FAILING]
        usable = running or usable

        def score(target: Target) -> tuple[int, int, int, int]:
            verdict = verdicts[target.api]
            verified = _VERIFIED_RANK.get(verdict.status, 3) if verdict is not None else 1
            is_mint = ".mint." in target.api
            curated = 0 if "curated" in target.sources else 1
            closeness = _CATEGORY_RANK.get(target.category, 4)
            if device == "CPU":
                return (verified, curated, 1 if is_mint else 0, closeness)
            return (verified, curated, 0 if is_mint else 1, closeness)

        return min(usable, key=score)


# ---- loading ----


def _data_files(data_dir: Path) -> list[Path]:
    """Merge order, later wins: derived (introspection), official tables, amendments
    (parameter maps and extra targets derived by introspection), curated."""
    derived = sorted(data_dir.glob("derived_*.toml"))
    official = sorted(data_dir.glob("official_*.toml"))
    amend = sorted(data_dir.glob("amend_*.toml"))
    curated = data_dir / CURATED
    return derived + official + amend + ([curated] if curated.is_file() else [])


def _cache_path(files: list[Path]) -> Path:
    digest = hashlib.sha256(str(_CACHE_FORMAT).encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mindport"
    return base / f"mapping-db-{digest.hexdigest()[:20]}.pickle"


def _merge(base: dict[str, Any] | None, update: dict[str, Any]) -> dict[str, Any]:
    """Curated data over official data: fields replace, targets merge by `api`."""
    if base is None:
        return update
    merged = {**base, **{k: v for k, v in update.items() if k != "targets"}}
    targets = {t["api"]: dict(t) for t in base.get("targets", [])}
    order = [t["api"] for t in base.get("targets", [])]
    for target in update.get("targets", []):
        if target["api"] in targets:
            old = targets[target["api"]]
            sources = list(dict.fromkeys([*old.get("sources", []), *target.get("sources", [])]))
            targets[target["api"]] = {**old, **target, "sources": sources}
        else:
            targets[target["api"]] = dict(target)
            order.append(target["api"])
    merged["targets"] = [targets[api] for api in order]
    return merged


def _target(raw: dict[str, Any], where: str) -> Target:
    unknown = set(raw) - _TARGET_FIELDS
    if unknown:
        raise DataError(f"{where}: unknown target field(s) {sorted(unknown)}")
    try:
        return Target(
            api=raw["api"],
            sources=tuple(raw.get("sources", ("curated",))),
            category=raw.get("category", "consistent"),
            note=raw.get("note", ""),
            url=raw.get("url"),
            diff_url=raw.get("diff_url"),
            params=tuple(ParamFact(**p) for p in raw.get("params", ())),
            rename=dict(raw.get("rename", {})),
            set_args=dict(raw.get("set_args", {})),
            defaults=dict(raw.get("defaults", {})),
            drop_if_default=tuple(raw.get("drop_if_default", ())),
            drop=tuple(raw.get("drop", ())),
            value_transforms=dict(raw.get("value_transforms", {})),
            unsupported={k: tuple(v) for k, v in raw.get("unsupported", {}).items()},
            not_on=tuple(raw.get("not_on", ())),
            torch_params=tuple(raw.get("torch_params", ())),
            mindspore_params=tuple(raw.get("mindspore_params", ())),
        )
    except (KeyError, TypeError) as exc:
        raise DataError(f"{where}: bad target: {exc}") from exc


def _entry(api: str, raw: dict[str, Any], where: str) -> Entry:
    unknown = set(raw) - _ENTRY_FIELDS
    if unknown:
        raise DataError(f"{where}: [{api}] has unknown field(s) {sorted(unknown)}")
    targets = tuple(_target(t, f"{where}: [{api}]") for t in raw.get("targets", ()))
    status = raw.get("status", "mapped" if targets else "no-equivalent")
    if status not in ("mapped", "mapped-with-differences", "no-equivalent"):
        raise DataError(f"{where}: [{api}] has unknown status {status!r}")
    return Entry(
        torch_api=api,
        kind=raw.get("kind", "function"),
        status=status,
        note=raw.get("note", ""),
        torch_url=raw.get("torch_url"),
        targets=targets,
        sources=tuple(raw.get("sources", ("curated",))),
        workaround=raw.get("workaround", ""),
    )


def parse_data(data_dir: Path) -> dict[str, Entry]:
    raw: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    for path in _data_files(data_dir):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataError(f"{path.name}: {exc}") from exc
        for api, value in table.items():
            raw[api] = _merge(raw.get(api), value)
            origin[api] = path.name
    return {api: _entry(api, value, origin[api]) for api, value in sorted(raw.items())}


def _load(data_dir: Path) -> MappingDB:
    files = _data_files(data_dir)
    cache_file = _cache_path(files)
    try:
        with cache_file.open("rb") as handle:
            return MappingDB(pickle.load(handle), data_dir / "verified")
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        pass
    return MappingDB(_parse_and_cache(data_dir, cache_file), data_dir / "verified")


def _parse_and_cache(data_dir: Path, cache_file: Path) -> dict[str, Entry]:
    entries = parse_data(data_dir)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
    except OSError as exc:  # a read-only home still gets a working database
        log.info("mapping database cache not written: %s", exc)
    return entries


@cache
def _load_default() -> MappingDB:
    return _load(DATA_DIR)


def load_database(data_dir: Path | None = None) -> MappingDB:
    """The database; the default one is loaded once per process."""
    if data_dir is None:
        return _load_default()
    return _load(data_dir)
