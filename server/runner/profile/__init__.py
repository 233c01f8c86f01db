"""`mindport profile`: where the time goes, layer by layer, in torch and in MindSpore.

Both models are built in their workers (the same inputs, the port's weights copied from torch);
each side is then timed alone, one after the other, so the two never compete for the CPU:
the whole step (forward + backward of the loss) and every leaf layer on its own with the inputs
it got in the model's forward (server/runner/worker_side/profiling.py), median of N runs after
a warm-up. Exit code: 0 ran, 2 bad arguments, 3 a model could not run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from server.runner.align.in_memory import in_memory_port
from server.runner.align.run import Alignment, finish
from server.runner.align.sides import Progress, RunFailure, RunHandle, Sides
from server.runner.align.spec import RunSpec, SpecError


def _ratio(ms: float | None, torch: float | None) -> float | None:
    if ms is None or torch is None or torch <= 0:
        return None
    return ms / torch


def _total(row: dict[str, Any] | None) -> float | None:
    if row is None:
        return None
    return (row["forward_ms"] + (row["backward_ms"] or 0.0)) * row["calls"]


def merge(torch: dict[str, Any], ms: dict[str, Any]) -> dict[str, Any]:
    """One row per layer (module path), sorted by cost, and the totals."""
    ms_rows = {r["path"]: r for r in ms["layers"]}
    rows = []
    for t in torch["layers"]:
        m = ms_rows.pop(t["path"], None)
        rows.append(_row(t["path"], t, m))
    rows += [_row(path, None, m) for path, m in ms_rows.items()]
    rows.sort(key=lambda r: -max(r["total_ms_torch"] or 0.0, r["total_ms_ms"] or 0.0))
    sum_t = sum(r["total_ms_torch"] or 0.0 for r in rows)
    sum_m = sum(r["total_ms_ms"] or 0.0 for r in rows)
    totals = {
        "step_ms_torch": torch["step_ms"],
        "step_ms_ms": ms["step_ms"],
        "step_ratio": _ratio(ms["step_ms"], torch["step_ms"]),
        "forward_ms_torch": torch["forward_ms"],
        "forward_ms_ms": ms["forward_ms"],
        "forward_ratio": _ratio(ms["forward_ms"], torch["forward_ms"]),
        "layers_ms_torch": sum_t,
        "layers_ms_ms": sum_m,
        "layers_ratio": _ratio(sum_m, sum_t),
        "peak_mib_torch": torch["peak_mib"],
        "peak_mib_ms": ms["peak_mib"],
        "peak_kind": torch["peak_kind"],
    }
    return {"layers": rows, "totals": totals}


def _row(path: str, t: dict[str, Any] | None, m: dict[str, Any] | None) -> dict[str, Any]:
    total_t, total_m = _total(t), _total(m)
    return {
        "path": path,
        "type": t["type"] if t else None,
        "type_ms": m["type"] if m else None,
        "calls": (t or m or {}).get("calls", 1),
        "forward_ms_torch": t["forward_ms"] if t else None,
        "forward_ms_ms": m["forward_ms"] if m else None,
        "backward_ms_torch": t["backward_ms"] if t else None,
        "backward_ms_ms": m["backward_ms"] if m else None,
        "total_ms_torch": total_t,
        "total_ms_ms": total_m,
        "ratio": _ratio(total_m, total_t),
    }


class Profiling(Alignment):
    def run(self, ms: Any) -> dict[str, Any]:  # type: ignore[override]
        started = time.perf_counter()
        workdir = Path(tempfile.mkdtemp(prefix="mindport-profile-"))
        sides = Sides(self.spec, workdir, self.handle, self.progress)
        self.result["repeat"] = self.spec.repeat
        try:
            if ms is None:
                self.stage("building", "converting the torch file")
                ms, info = in_memory_port(self.spec, workdir)
                info.pop("code", None)
                self.result["mindspore"].update(file=str(ms.file), factory=ms.factory, **info)
            self.build(sides, ms)
            self.weights(sides)  # same weights: a layer's time may depend on its values
            repeat = self.spec.repeat
            self.stage("profile", f"timing torch ({repeat} runs after a warm-up)")
            t = sides.call("torch", "profile", "profile", repeat=repeat)
            self.stage("profile", f"timing MindSpore ({repeat} runs after a warm-up)")
            m = sides.call("mindspore", "profile", "profile", repeat=repeat)
            self.result.update(merge(t, m))
            self.result["stages"]["profile"] = {"status": "ok"}
        except RunFailure as failure:
            self.result["error"] = failure.to_dict()
        finally:
            sides.close()
            shutil.rmtree(workdir, ignore_errors=True)
            self.result["workers"] = {side: w.pid for side, w in sides.workers.items()}
            self.result["workdir"] = str(workdir)
        self.result["seconds"] = time.perf_counter() - started
        result = finish(self.result)
        if result["status"] == "diverges":  # profiling does not judge the numbers
            result["status"], result["exit_code"] = "ok", 0
        return result


def run_profile(
    spec: RunSpec, progress: Progress | None = None, handle: RunHandle | None = None
) -> dict[str, Any]:
    try:
        spec.check()
    except SpecError as exc:
        return finish(
            {
                "stages": {},
                "first_divergence": None,
                "notes": [],
                "error": {"kind": "usage", "message": str(exc)},
            }
        )
    return Profiling(spec, progress, handle).run(spec.ms)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def render_profile(result: dict[str, Any], limit: int = 15) -> list[str]:
    lines: list[str] = []
    error = result.get("error")
    if error is not None:
        frame = error.get("frame")
        where = f"{frame['file']}:{frame['line']}: " if frame else ""
        return [f"{where}{'usage' if error['kind'] == 'usage' else 'error'}: {error['message']}"]
    t, m = result["torch"], result["mindspore"]
    lines.append(
        f"{t['file']}::{t['factory']} on {result['device']}: torch {t.get('version')}, "
        f"MindSpore {m.get('version')}; median of {result['repeat']} runs, ms"
    )
    head = (
        f"  {'module path':28} {'type':16} {'calls':>5} {'fwd torch':>10} {'fwd ms':>10} "
        f"{'bwd torch':>10} {'bwd ms':>10} {'ratio':>7}"
    )
    lines.append(head)
    for row in result["layers"][:limit]:
        kind = (row["type"] or row["type_ms"] or "?").rsplit(".", 1)[-1]
        lines.append(
            f"  {row['path'][:28]:28} {kind[:16]:16} {row['calls']:>5} "
            f"{_ms(row['forward_ms_torch']):>10} {_ms(row['forward_ms_ms']):>10} "
            f"{_ms(row['backward_ms_torch']):>10} {_ms(row['backward_ms_ms']):>10} "
            f"{_x(row['ratio']):>7}"
        )
    if len(result["layers"]) > limit:
        lines.append(f"  ... {len(result['layers']) - limit} more layers (--layers N, --json)")
    totals = result["totals"]
    lines.append(
        f"step (forward + backward): torch {_ms(totals['step_ms_torch'])} ms, MindSpore "
        f"{_ms(totals['step_ms_ms'])} ms, ratio {_x(totals['step_ratio'])}"
    )
    lines.append(
        f"forward: torch {_ms(totals['forward_ms_torch'])} ms, MindSpore "
        f"{_ms(totals['forward_ms_ms'])} ms, ratio {_x(totals['forward_ratio'])}"
    )
    lines.append(
        f"layers timed alone, summed: torch {_ms(totals['layers_ms_torch'])} ms, MindSpore "
        f"{_ms(totals['layers_ms_ms'])} ms, ratio {_x(totals['layers_ratio'])}"
    )
    lines.append(
        f"{totals['peak_kind']}: torch {totals['peak_mib_torch']:.0f} MiB, MindSpore "
        f"{totals['peak_mib_ms']:.0f} MiB"
    )
    return lines
