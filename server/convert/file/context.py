"""What a whole-file conversion knows before and while it rewrites: the torch references by
position, what the names of the file hold, the markers left for a person and the counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from mapping_db.store import MappingDB
from server.advice.assess import Assessment, assess
from server.analysis.findings import AnalysisResult, TorchReference

MARKER_PREFIX = "# mindport: "

# Categories of torch sites, for the summary.
CATEGORIES = (
    "layer",
    "loss",
    "function",
    "tensor-method",
    "optimizer",
    "scheduler",
    "init",
    "data",
    "structure",
    "device",
    "training-step",
    "checkpoint",
    "compliance",
)


def category_of(qualified_name: str) -> str:
    name = qualified_name
    if name.startswith("pattern:"):
        return "compliance"
    if name.startswith("torch.optim.lr_scheduler."):
        return "scheduler"
    if name.startswith("torch.optim."):
        return "optimizer"
    if name.startswith("torch.nn.init."):
        return "init"
    if name.startswith("torch.utils.data."):
        return "data"
    if name.startswith("torch.Tensor."):
        return "tensor-method"
    if name in ("torch.save", "torch.load"):
        return "checkpoint"
    if name in ("torch.device", "torch.no_grad", "torch.inference_mode", "torch.enable_grad"):
        return "device"
    if name.startswith("torch.cuda.") or name.startswith("torch.backends."):
        return "device"
    last = name.rsplit(".", 1)[-1]
    if name.startswith("torch.nn.") and last[:1].isupper():
        if name in ("torch.nn.Module", "torch.nn.Parameter") or "Module" in last:
            return "structure"
        if last == "Sequential":
            return "structure"
        return "loss" if last.endswith("Loss") else "layer"
    return "function"


@dataclass(frozen=True, slots=True)
class Marker:
    line: int  # 1-based, in the source
    reason: str
    category: str


@dataclass(slots=True)
class Counts:
    found: Counter[str] = field(default_factory=Counter)
    marked: Counter[str] = field(default_factory=Counter)

    @property
    def total_found(self) -> int:
        return sum(self.found.values())

    @property
    def total_marked(self) -> int:
        return sum(self.marked.values())

    @property
    def converted(self) -> int:
        return self.total_found - self.total_marked

    @property
    def rate(self) -> float:
        return 1.0 if not self.total_found else self.converted / self.total_found

    def add(self, other: Counts) -> None:
        self.found.update(other.found)
        self.marked.update(other.marked)


Position = tuple[int, int]  # (1-based line, column in code points), as libcst counts


@dataclass
class ConversionContext:
    db: MappingDB
    device: str
    analysis: AnalysisResult
    # Call references (calls, tensor methods, patterns) by the end of the call expression:
    # no two calls end at the same place. Other references by the end of the name.
    calls: dict[Position, list[TorchReference]] = field(default_factory=dict)
    names: dict[Position, TorchReference] = field(default_factory=dict)
    markers: list[Marker] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    # name -> torch qualified name of the call that assigned it (file-wide, e.g.
    # "optimizer" -> "torch.optim.SGD", "criterion" -> "torch.nn.CrossEntropyLoss").
    assigned_from: dict[str, str] = field(default_factory=dict)
    # where a call's value goes: call end -> the variable or `self.` attribute it is assigned to
    assigned_at: dict[Position, str] = field(default_factory=dict)
    # loader variable -> the names a `for a, b in loader` loop unpacks its items into
    loop_targets: dict[str, list[str]] = field(default_factory=dict)
    # classes of this file that are torch modules, and their layer attributes' torch types
    module_classes: set[str] = field(default_factory=set)
    layer_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    # names of this file's classes that are torch datasets
    dataset_classes: set[str] = field(default_factory=set)
    # code of helper definitions the port needs, written after its imports
    helpers: set[str] = field(default_factory=set)
    # expressions the file passes where torch takes an int (`config.n_embd` to nn.Linear)
    int_expressions: set[str] = field(default_factory=set)
    # compliance findings ("pattern:<rule>") by 1-based start line, and those a rewrite took
    # care of (e.g. a device move that was dropped); the rest get a marker
    patterns_by_line: dict[int, list[TorchReference]] = field(default_factory=dict)
    consumed: set[int] = field(default_factory=set)
    source: str = ""  # the file's text
    # `# mindport note:` texts by 1-based line: converted, with a difference worth reading
    notes: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, db: MappingDB, device: str, analysis: AnalysisResult) -> ConversionContext:
        ctx = cls(db, device, analysis)
        for ref in analysis.references:
            if ref.confidence == "unresolved":
                continue
            if ref.call is not None and ref.context in ("call", "tensor-method", "pattern"):
                end = (ref.call.span.end_line + 1, ref.call.span.end_col)
                ctx.calls.setdefault(end, []).append(ref)
            elif ref.context != "pattern":
                ctx.names[(ref.span.end_line + 1, ref.span.end_col)] = ref
            if ref.context == "pattern":
                assessment = ctx.assess(ref)
                if assessment is None or assessment.kind != "compliance":
                    continue
                ctx.patterns_by_line.setdefault(ref.span.line + 1, []).append(ref)
                ctx.count_found(category_of(ref.qualified_name))
            elif ctx.assess(ref) is not None:
                ctx.count_found(category_of(ref.qualified_name))
        return ctx

    def assess(self, ref: TorchReference) -> Assessment | None:
        return assess(ref, self.db, self.device)

    def count_found(self, category: str, n: int = 1) -> None:
        self.counts.found[category] += n

    def extra_site(self, end: Position, category: str) -> None:
        """A site found by its shape (`model.train()`), not by the analysis: count it once."""
        if end not in self.calls:
            self.count_found(category)

    def counted_method(self, line: int, method: str) -> str | None:
        """The category a `.<method>()` call on this line (1-based) was counted in, if the
        analysis found it (e.g. `loss.backward()` as a tensor method)."""
        for refs in self.calls.values():
            for ref in refs:
                if ref.span.line + 1 == line and ref.qualified_name.endswith("." + method):
                    if ref.context == "pattern" or self.assess(ref) is not None:
                        return category_of(ref.qualified_name)
        return None

    def consume_patterns(self, refs: list[TorchReference]) -> None:
        self.consumed.update(id(r) for r in refs if r.context == "pattern")

    def leftover_patterns(self, first: int, last: int) -> list[TorchReference]:
        found = []
        for line in range(first, last + 1):
            for ref in self.patterns_by_line.pop(line, []):
                if id(ref) not in self.consumed:
                    found.append(ref)
        return found

    def mark(self, line: int, reason: str, category: str) -> None:
        self.markers.append(Marker(line, reason, category))
        self.counts.marked[category] += 1
