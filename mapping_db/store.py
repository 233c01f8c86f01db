"""Load the mapping database and answer queries: by qualified name, Tensor method, text.

The reviewed TOML files are the source of truth. Parsing ~1,000 entries of TOML costs more
than the 50 ms load budget, so the parsed records are cached (pickle) in the user's cache
folder, keyed by the data files' content hash, and rebuilt whenever a file changes. Each
entry is pickled on its own and unpickled when first asked for: a file's diagnostics need a
few hundred of the ~2,000 entries, and unpickling all of them took most of the load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tomllib
from collections.abc import Iterator, Mapping
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
from mapping_db.workarounds import parse_workarounds

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
CURATED = "curated.toml"
GUIDANCE = "guidance.toml"  # our answers for APIs with no counterpart, merged before curated
WORKAROUNDS_NAME = "workarounds.toml"
ALIASES_NAME = "aliases.json"  # other paths torch exposes an entry under (importers/aliases.py)
NAMESPACES_NAME = "namespaces.toml"  # answers for whole families of names no entry covers
_CACHE_FORMAT = 7  # bump when the records' shape changes

_TARGET_FIELDS = {
    "api", "sources", "category", "note", "url", "diff_url", "rename", "set_args", "defaults",
    "drop_if_default", "unsupported", "not_on", "torch_params", "mindspore_params", "params",
    "drop", "value_transforms",
}  # fmt: skip
_ENTRY_FIELDS = {"kind", "status", "note", "torch_url", "sources", "targets", "workaround", "drop"}


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


class LazyEntries(Mapping[str, Entry]):
    """Entries kept pickled one by one (as in the cache file), unpickled on first use."""

    def __init__(self, pickled: dict[str, bytes]) -> None:
        self._pickled = pickled
        self._loaded: dict[str, Entry] = {}

    def __getitem__(self, name: str) -> Entry:
        entry = self._loaded.get(name)
        if entry is None:
            # setdefault: two threads asking at once get the same object
            entry = self._loaded.setdefault(name, pickle.loads(self._pickled[name]))
        return entry

    def get(self, name: str, default: Entry | None = None) -> Entry | None:  # type: ignore[override]
        return self[name] if name in self._pickled else default

    def __contains__(self, name: object) -> bool:
        return name in self._pickled

    def __iter__(self) -> Iterator[str]:
        return iter(self._pickled)

    def __len__(self) -> int:
        return len(self._pickled)


class MappingDB:
    def __init__(
        self,
        entries: Mapping[str, Entry],
        verified_dir: Path = VERIFIED_DIR,
        aliases: dict[str, str] | None = None,
        namespaces: dict[str, str] | None = None,
    ) -> None:
        self._entries = entries
        # alias path -> the entry's name: torch.nn.modules.batchnorm.BatchNorm2d -> torch.nn...
        self._aliases = aliases or {}
        # namespace prefix -> our note for every name under it that has no entry of its own
        self._namespaces = namespaces or {}
        self._namespace_entries: dict[str, Entry] = {}
        self._verified_dir = verified_dir
        self._verification: dict[str, Verification | None] = {}
        self._methods = {  # method name -> its entry's name
            name.removeprefix("torch.Tensor."): name
            for name in entries
            if name.startswith("torch.Tensor.")
        }
        modules: set[str] = set()
        for name in [*entries, *self._aliases]:
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
        """The entry for a name: its own, the one it is an alias path of, or the answer of the
        nearest namespace that has one (torch.fx.Node -> the torch.fx answer)."""
        entry = self._entries.get(torch_api)
        if entry is None and torch_api in self._aliases:
            entry = self._entries.get(self._aliases[torch_api])
        if entry is None:
            entry = self.namespace_entry(torch_api)
        return entry

    def canonical(self, torch_api: str) -> str | None:
        """The entry name an alias path stands for (None when it is no alias)."""
        return self._aliases.get(torch_api)

    @property
    def aliases(self) -> dict[str, str]:
        return dict(self._aliases)

    @property
    def namespaces(self) -> dict[str, str]:
        return dict(self._namespaces)

    def namespace_of(self, torch_api: str) -> str | None:
        """The longest namespace with an answer that holds `torch_api` (or is it)."""
        parts = torch_api.split(".")
        for end in range(len(parts), 1, -1):
            prefix = ".".join(parts[:end])
            if prefix in self._namespaces:
                return prefix
        return None

    def is_namespace_answer(self, entry: Entry) -> bool:
        """Whether `entry` was made from a namespace's answer (no entry of its own)."""
        return self._namespace_entries.get(entry.torch_api) is entry

    def namespace_entry(self, torch_api: str) -> Entry | None:
        """A no-equivalent entry for a name with no entry of its own, noted with its
        namespace's answer; None when no namespace with an answer holds it."""
        cached = self._namespace_entries.get(torch_api)
        if cached is not None:
            return cached
        namespace = self.namespace_of(torch_api)
        if namespace is None:
            return None
        entry = Entry(
            torch_api=torch_api,
            kind="attribute",
            status="no-equivalent",
            note=self._namespaces[namespace],
            sources=("curated",),
        )
        self._namespace_entries[torch_api] = entry
        return entry

    def tensor_method(self, name: str) -> Entry | None:
        full = self._methods.get(name)
        return self._entries[full] if full is not None else None

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
        ops/nn one on CPU (docs/architecture.md, decision 6), then the closest category."""
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


def data_files(data_dir: Path) -> list[Path]:
    """Merge order, later wins: derived (introspection), official tables, amendments
    (parameter maps and extra targets derived by introspection), guidance, curated."""
    derived = sorted(data_dir.glob("derived_*.toml"))
    official = sorted(data_dir.glob("official_*.toml"))
    amend = sorted(data_dir.glob("amend_*.toml"))
    ours = [data_dir / name for name in (GUIDANCE, CURATED) if (data_dir / name).is_file()]
    return derived + official + amend + ours


def side_files(data_dir: Path) -> list[Path]:
    """The data files that are not entries: workarounds, aliases, namespace answers."""
    names = (WORKAROUNDS_NAME, ALIASES_NAME, NAMESPACES_NAME)
    return [data_dir / name for name in names if (data_dir / name).is_file()]


def parse_aliases(data_dir: Path, entries: dict[str, Entry]) -> dict[str, str]:
    """Alias paths of data/aliases.json whose entry exists and that are no entry themselves."""
    path = data_dir / ALIASES_NAME
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{ALIASES_NAME}: {exc}") from exc
    aliases = raw.get("aliases") if isinstance(raw, dict) else None
    if not isinstance(aliases, dict):
        raise DataError(f'{ALIASES_NAME}: expected an object with an "aliases" object')
    return {
        alias: name
        for alias, name in aliases.items()
        if isinstance(name, str) and name in entries and alias not in entries
    }


def parse_namespaces(data_dir: Path) -> dict[str, str]:
    """data/namespaces.toml: [\"torch.fx\"] note = "..." for every name under torch.fx."""
    path = data_dir / NAMESPACES_NAME
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{NAMESPACES_NAME}: {exc}") from exc
    out: dict[str, str] = {}
    for prefix, row in table.items():
        note = row.get("note") if isinstance(row, dict) else None
        if not isinstance(note, str) or not note.strip():
            raise DataError(f"{NAMESPACES_NAME}: [{prefix}] needs a note")
        if set(row) - {"note"}:
            raise DataError(f"{NAMESPACES_NAME}: [{prefix}] has unknown field(s)")
        out[prefix] = note.strip()
    return out


# The records' classes: a change to them (a field added) makes another cache, not a cache
# whose entries fail when they are first unpickled.
_RECORD_SOURCES = (Path(__file__).resolve().parent / "model.py",)


def _cache_path(files: list[Path]) -> Path:
    digest = hashlib.sha256(str(_CACHE_FORMAT).encode())
    for path in [*files, *_RECORD_SOURCES]:
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
        drop=bool(raw.get("drop", False)),
    )


def parse_data(data_dir: Path, files: list[Path] | None = None) -> dict[str, Entry]:
    """The entries of `files` (default: every data file, in merge order), with the workaround
    formulas of data/workarounds.toml attached."""
    raw: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    for path in data_files(data_dir) if files is None else files:
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataError(f"{path.name}: {exc}") from exc
        for api, value in table.items():
            raw[api] = _merge(raw.get(api), value)
            origin[api] = path.name
    workarounds = data_dir / WORKAROUNDS_NAME
    if workarounds.is_file():
        for api, recipe in parse_workarounds(workarounds.read_text(encoding="utf-8")).items():
            if api in raw:
                raw[api] = {**raw[api], "workaround": recipe.mindspore}
    return {api: _entry(api, value, origin[api]) for api, value in sorted(raw.items())}


_Parsed = tuple[dict[str, Entry], dict[str, str], dict[str, str]]


def _load(data_dir: Path) -> MappingDB:
    cache_file = _cache_path(data_files(data_dir) + side_files(data_dir))
    try:
        with cache_file.open("rb") as handle:
            pickled, aliases, namespaces = pickle.load(handle)
        if not isinstance(pickled, dict):
            raise TypeError("not a cache of this format")
        return MappingDB(LazyEntries(pickled), data_dir / "verified", aliases, namespaces)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        pass
    entries, aliases, namespaces = _parse_and_cache(data_dir, cache_file)
    return MappingDB(entries, data_dir / "verified", aliases, namespaces)


def _parse_and_cache(data_dir: Path, cache_file: Path) -> _Parsed:
    entries = parse_data(data_dir)
    parsed = (entries, parse_aliases(data_dir, entries), parse_namespaces(data_dir))
    pickled = {
        name: pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        for name, entry in entries.items()
    }
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump((pickled, *parsed[1:]), handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
    except OSError as exc:  # a read-only home still gets a working database
        log.info("mapping database cache not written: %s", exc)
    return parsed


@cache
def _load_default() -> MappingDB:
    return _load(DATA_DIR)


def load_database(data_dir: Path | None = None) -> MappingDB:
    """The database; the default one is loaded once per process."""
    if data_dir is None:
        return _load_default()
    return _load(data_dir)
