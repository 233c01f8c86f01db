"""Count a mindport conversion's sites the way PaConvert 3.3.1 counts its "Pytorch APIs".

PaConvert's rate is (APIs it converted) / (APIs it counted). What it counts, read from its
source (paconvert/transformer/basic_transformer.py, BasicTransformer):

- every use of a name reached through an imported torch package (`torch.x`, `nn.X`, `F.x`,
  as a call, a base class, an annotation or a value), once per use, known to its tables or
  not: a name it has no entry for is counted as "not supported", never left out;
- a method call `r.m(...)` only when `m` is a method its api table knows for torch.Tensor,
  nn.Module, optim.Optimizer, autograd FunctionCtx or Distribution, and only for some receiver
  shapes (a plain name, `self.a`, an expression such as a call or a subscript; a longer chain
  `a.b.m()` only through `self.` or `.weight.`/`.bias.`/`.T.`); `self.m()` only as a Module or
  Optimizer method;
- an attribute `r.a` (no call) the same way, against its attribute table (Tensor and
  FunctionCtx only);
- imports are not counted.

This module applies those rules to OUR sites (the analysis references a conversion counts),
and decides per site whether OUR conversion converted it: a module-level name is unconverted
when the same name is still in the port; a tensor method when a tensor-method marker was left
for it (a marker it cannot place on a site is charged to a counted one). Compliance findings
and the sites we find by their shape have no API name and are left out. "Extra" adds what
PaConvert counts and we do not name: members on receivers we do not judge (converted unless a
marker is on their statement) and uses of torchvision, transformers, ... (converted when gone
from the port). The tables are read from an installed PaConvert at run time, never copied.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mapping_db.store import MappingDB
from server.advice.assess import assess
from server.analysis.references import find_torch_references

ENV = "PACONVERT_DIR"  # the installed `paconvert` package folder (holding api_mapping.json)
WANTED_VERSION = "3.3.1"
# The packages PaConvert treats as torch (GlobalManager.TORCH_PACKAGE_MAPPING keys) are read
# from its global_var.py at run time; receivers named after other imports are not tensors.
_NOT_TENSORS = ("ndarray", "args", "arg")
_EXPRESSIONS = (ast.Call, ast.Compare, ast.BinOp, ast.UnaryOp, ast.Subscript)
_CALL_CLASSES_STANDARD = (
    "torch.Tensor",
    "torch.nn.Module",
    "torch.optim.Optimizer",
    "torch.autograd.function.FunctionCtx",
    "torch.distributions.distribution.Distribution",
)


@dataclass(frozen=True)
class PaConvertTables:
    where: Path
    version: str
    api: frozenset[str]
    attributes: frozenset[str]
    aliases: dict[str, str]
    wildcards: tuple[re.Pattern[str], ...]
    packages: frozenset[str]  # what it treats as torch: torch, torchvision, transformers, ...

    def knows_call(self, name: str) -> bool:
        name = self.aliases.get(name, name)
        return name in self.api or any(w.match(name) for w in self.wildcards)

    def knows_attribute(self, name: str) -> bool:
        return self.aliases.get(name, name) in self.attributes


def find_tables(explicit: str | None = None) -> tuple[PaConvertTables | None, str]:
    """PaConvert's tables, or None and why not."""
    places: list[Path] = []
    for given in (explicit, os.environ.get(ENV)):
        if given:
            places.append(Path(given))
    spec = importlib.util.find_spec("paconvert")  # finds the package without importing it
    if spec is not None and spec.submodule_search_locations:
        places.extend(Path(p) for p in spec.submodule_search_locations)
    for place in places:
        if (place / "paconvert" / "api_mapping.json").is_file():
            place = place / "paconvert"
        if (place / "api_mapping.json").is_file():
            return _load(place), ""
    return None, (
        f"install paconvert=={WANTED_VERSION} (pip install --no-deps, in any venv) and set "
        f"{ENV} to its package folder to count its way"
    )


def _load(place: Path) -> PaConvertTables:
    def read(name: str) -> dict:
        path = place / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    version_file = place / "version.py"
    found = re.search(r"""['"]v?([\d.]+)['"]""", version_file.read_text(encoding="utf-8"))
    return PaConvertTables(
        place,
        found.group(1) if found else "unknown",
        frozenset(read("api_mapping.json")),
        frozenset(read("attribute_mapping.json")),
        dict(read("api_alias_mapping.json")),
        tuple(re.compile(k) for k in read("api_wildcard_mapping.json")),
        _torch_packages(place / "global_var.py"),
    )


def _torch_packages(path: Path) -> frozenset[str]:
    """The keys of GlobalManager.TORCH_PACKAGE_MAPPING in PaConvert's global_var.py (read
    as data, not imported: importing it needs nothing, but this keeps it inert)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return frozenset({"torch"})
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "TORCH_PACKAGE_MAPPING" for t in node.targets
        ):
            return frozenset(ast.literal_eval(node.value)) | {"torch"}
    return frozenset({"torch"})


def _blocked_names(tree: ast.Module, torchish: frozenset[str]) -> set[str]:
    """Names the file imports from packages PaConvert does not treat as torch: a receiver
    spelled with one of them is not a tensor to it."""
    blocked = set(_NOT_TENSORS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in torchish:
                    blocked.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in torchish and not node.level:
                continue
            blocked.update(a.asname or a.name for a in node.names if a.name != "*")
    return blocked


def _spelled(node: ast.expr, blocked: set[str]) -> list[str] | None:
    """The receiver as PaConvert spells it (None: not a torch class to it)."""
    if isinstance(node, ast.Attribute):
        head = _spelled(node.value, blocked)
        return None if head is None or node.attr in blocked else [*head, node.attr]
    if isinstance(node, ast.Name):
        return None if node.id in blocked or node.id == "paddle" else [node.id]
    if isinstance(node, _EXPRESSIONS):
        text = ast.unparse(node)
        for name in blocked:
            if re.match(rf"(.*[^A-Za-z_]{re.escape(name)}\(|{re.escape(name)}[.(])", text):
                return None
        return ["<expression>"]
    return None


def _classes(parts: list[str], is_call: bool) -> tuple[str, ...]:
    """The torch classes PaConvert tries for `<receiver>.<member>` (parts include member)."""
    full = ".".join(parts)
    if len(parts) == 2:
        if "self." in full:
            return ("torch.nn.Module", "torch.optim.Optimizer") if is_call else ()
        if is_call:
            return _CALL_CLASSES_STANDARD
        return ("torch.Tensor", "torch.autograd.function.FunctionCtx")
    if len(parts) < 2:
        return ()
    classes: list[str] = []
    if "self." in full:
        classes += ["torch.Tensor", "torch.nn.Module", "torch.optim.Optimizer"]
        if not is_call:
            classes = ["torch.Tensor"]
    keys = (".T.", ".weight.", ".bias.") + (() if is_call else (".data.", ".real.", ".imag."))
    if any(k in full for k in keys) and "torch.Tensor" not in classes:
        classes.append("torch.Tensor")
    return tuple(classes)


def _attributes_by_end(tree: ast.Module) -> dict[tuple[int, int], ast.Attribute]:
    """Attribute nodes by where they end (1-based line, UTF-8 byte column, as ast counts)."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.end_lineno is not None:
            found[(node.end_lineno, node.end_col_offset)] = node
    return found


def _receiver(ref, lines: list[str], attributes: dict) -> ast.expr | None:
    """The receiver of a tensor-method site: the `r` of `r.m(...)` or `r.a`."""
    line = lines[ref.span.end_line] if ref.span.end_line < len(lines) else ""
    end = len(line[: ref.span.end_col].encode("utf-8"))  # code points -> bytes
    node = attributes.get((ref.span.end_line + 1, end))
    return node.value if node is not None else None


@dataclass
class SameWay:
    named: int = 0  # our sites that have a torch name (the rest are found by their shape)
    counted: int = 0  # sites PaConvert would count
    converted: int = 0
    # method calls and attributes PaConvert counts that are not among our named sites
    # (`model.eval()`, `x.to(device)`, `loss.item()` on receivers we do not judge):
    # converted when no marker is on their statement
    extra: int = 0
    extra_converted: int = 0
    third_party: int = 0  # of the extra: uses of torchvision, transformers, timm, ...
    left_out: Counter[str] = field(default_factory=Counter)  # our sites it would not count
    unconverted: Counter[str] = field(default_factory=Counter)  # counted names left in the port

    @property
    def rate(self) -> float:
        return 1.0 if not self.counted else self.converted / self.counted

    @property
    def rate_with_extra(self) -> float:
        total = self.counted + self.extra
        return 1.0 if not total else (self.converted + self.extra_converted) / total

    def add(self, other: SameWay) -> None:
        self.named += other.named
        self.counted += other.counted
        self.converted += other.converted
        self.extra += other.extra
        self.extra_converted += other.extra_converted
        self.third_party += other.third_party
        self.left_out.update(other.left_out)
        self.unconverted.update(other.unconverted)


def count_file(
    source: str, code: str, markers, db: MappingDB, device: str, tables: PaConvertTables
) -> SameWay:
    """Our sites of one file, counted as PaConvert counts; `code` and `markers` are the
    conversion's port and the markers it left."""
    out = SameWay()
    analysis = find_torch_references(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return out
    blocked = _blocked_names(tree, tables.packages)
    lines = source.splitlines()
    attributes = _attributes_by_end(tree)
    module_sites: Counter[str] = Counter()
    method_sites: list[tuple[int, str, bool]] = []  # (1-based line, method, counted)
    for ref in analysis.references:
        if ref.confidence == "unresolved" or ref.context == "pattern":
            continue
        if assess(ref, db, device) is None:
            continue
        out.named += 1
        if ref.context != "tensor-method":
            module_sites[ref.qualified_name] += 1
            continue
        member = ref.qualified_name.rsplit(".", 1)[-1]
        is_call = ref.call is not None
        receiver = _receiver(ref, lines, attributes)
        parts = _spelled(receiver, blocked) if receiver is not None else None
        known = tables.knows_call if is_call else tables.knows_attribute
        counted = parts is not None and any(
            known(f"{cls}.{member}") for cls in _classes([*parts, member], is_call)
        )
        if not counted:
            reason = "receiver shape" if parts is None else "not in its tables"
            out.left_out[f"tensor method ({reason})"] += 1
        line = (ref.call.span.line if ref.call is not None else ref.span.line) + 1
        method_sites.append((line, member, counted))
    # module-level names: each use counts; unconverted when the name is still in the port
    left = Counter()
    port = find_torch_references(code)
    for ref in port.references:
        if ref.confidence == "certain" and ref.context not in ("pattern", "tensor-method"):
            left[ref.qualified_name] += 1
    for name, n in module_sites.items():
        out.counted += n
        out.converted += n - min(n, left[name])
        if left[name]:
            out.unconverted[name] += min(n, left[name])
    # tensor methods: a tensor-method marker on the site's line (or naming the method)
    # means unconverted; a marker we cannot place is charged to a counted site
    counted_sites = sum(1 for site in method_sites if site[2])
    open_sites = list(method_sites)
    unconverted = unplaced = 0
    for marker in markers:
        if marker.category != "tensor-method":
            continue
        named = set(re.findall(r"torch\.Tensor\.(\w+)", marker.reason))
        pick = next((s for s in open_sites if s[0] == marker.line and s[2]), None)
        pick = pick or next((s for s in open_sites if s[0] == marker.line), None)
        pick = pick or next((s for s in open_sites if s[1] in named and s[2]), None)
        if pick is None:
            unplaced += 1
            continue
        open_sites.remove(pick)
        unconverted += pick[2]
        if pick[2]:
            out.unconverted[f"Tensor.{pick[1]}"] += 1
    charged = min(unplaced, sum(1 for site in open_sites if site[2]))
    unconverted += charged
    if unplaced > charged:
        out.left_out["tensor-method markers not placed on a site"] += unplaced - charged
    out.counted += counted_sites
    out.converted += counted_sites - unconverted
    third = _third_party_uses(tree, tables.packages)
    if third:
        try:
            left_third = _third_party_uses(ast.parse(code), tables.packages)
        except SyntaxError:
            left_third = third
        for name, n in third.items():
            out.extra += n
            out.third_party += n
            out.extra_converted += n - min(n, left_third[name])
    ours = {_end_of(ref, lines) for ref in analysis.references if ref.context == "tensor-method"}
    marked = [m.line for m in markers if not m.reason.endswith(" left as is")]
    for node, statement in _member_sites(tree, blocked, tables):
        if (node.end_lineno, node.end_col_offset) in ours:
            continue
        out.extra += 1
        first, last = statement.lineno, statement.end_lineno or statement.lineno
        if isinstance(statement, _COMPOUND):  # the header only, not the body
            first = last = node.lineno
        if not any(first <= line <= last for line in marked):
            out.extra_converted += 1
    return out


_COMPOUND = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)
_VISITED_THROUGH = ("T", "real", "weight", "bias", "imag", "data")


def _end_of(ref, lines: list[str]) -> tuple[int, int]:
    line = lines[ref.span.end_line] if ref.span.end_line < len(lines) else ""
    return (ref.span.end_line + 1, len(line[: ref.span.end_col].encode("utf-8")))


def _torch_bound(tree: ast.Module, torchish: frozenset[str]) -> set[str]:
    """Names the file binds to torch packages (`torch`, `nn`, `F`): PaConvert counts the
    uses of these as module-level APIs, which are our named sites."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in torchish:
                    bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and not node.level:
            if (node.module or "").split(".")[0] in torchish:
                bound.update(a.asname or a.name for a in node.names)
    return bound


def _third_party_uses(tree: ast.Module, packages: frozenset[str]) -> Counter[str]:
    """Uses of names bound to the packages PaConvert treats as torch other than torch itself
    (torchvision, transformers, timm, ...), by their spelling: it counts each as an API."""
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in packages and top != "torch":
                    roots.add(alias.asname or top)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            top = (node.module or "").split(".")[0]
            if top in packages and top != "torch":
                roots.update(a.asname or a.name for a in node.names if a.name != "*")
    uses: Counter[str] = Counter()
    if not roots:
        return uses
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if id(node) in inner or not isinstance(node, ast.Attribute | ast.Name):
            continue
        if not isinstance(node.ctx, ast.Load):
            continue
        spelled = _spelled(node, set())
        if spelled and spelled[0] in roots:
            uses[".".join(spelled)] += 1
    return uses


def _member_sites(tree: ast.Module, blocked: set[str], tables: PaConvertTables):
    """(node, statement) for each `r.m(...)` and `r.a` PaConvert counts as a torch class's
    method or attribute. Like its visitor, it does not look inside an attribute chain
    (`a.b` of `a.b.c`) unless the link is `.T`, `.weight`, `.bias`, `.real`, `.imag` or
    `.data`, or the receiver is an expression (a call, a subscript, an operation)."""
    torch_names = _torch_bound(tree, tables.packages)
    if not torch_names:  # a file with no torch import: PaConvert counts nothing in it
        return
    hidden: set[int] = set()
    calls: set[int] = set()
    statements: dict[int, ast.stmt] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls.add(id(node.func))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            if node.value.attr not in _VISITED_THROUGH:
                hidden.add(id(node.value))
    # ast.walk goes outside in: the innermost statement holding a node is written last
    for statement in ast.walk(tree):
        if isinstance(statement, ast.stmt):
            for child in ast.walk(statement):
                statements[id(child)] = statement
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in hidden:
            continue
        parts = _spelled(node.value, blocked)
        if parts is None or parts[0] in torch_names:
            continue
        is_call = id(node) in calls
        known = tables.knows_call if is_call else tables.knows_attribute
        if any(known(f"{c}.{node.attr}") for c in _classes([*parts, node.attr], is_call)):
            yield node, statements.get(id(node), tree.body[0])
