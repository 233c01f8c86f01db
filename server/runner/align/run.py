"""`mindport align`: run both models stage by stage and say where they part ways.

Stages: building, weights, dataset, forward, backward, training (docs/alignment.md). The result
is one JSON-ready dict; `exit_code` is what the command line returns: 0 everything agrees,
1 something diverges, 2 bad arguments, 3 a model could not run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from server.runner.align.in_memory import in_memory_port
from server.runner.align.sides import Progress, RunFailure, RunHandle, Sides
from server.runner.align.spec import ModelRef, RunSpec, SpecError
from server.runner.align.weights import map_weights

DATASET_BATCHES = 2
EXIT = {"ok": 0, "diverges": 1, "usage": 2, "error": 3, "cancelled": 130}


def _sites(modules: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        m["path"]: {"file": m["file"], "line": m["line"], "col": m["col"], "type": m["type"]}
        for m in modules
    }


def _module_of(param: str, sites: dict[str, Any]) -> str:
    path = param.rpartition(".")[0]
    while path and path not in sites:
        path = path.rpartition(".")[0]
    return path


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return abs(a - b) <= atol + rtol * abs(b)


class Alignment:
    def __init__(self, spec: RunSpec, progress: Progress | None, handle: RunHandle | None):
        self.spec = spec
        self.progress = progress
        self.handle = handle or RunHandle()
        self.result: dict[str, Any] = {
            "torch": {"file": str(spec.torch.file), "factory": spec.torch.factory},
            "mindspore": {
                "file": str(spec.ms.file) if spec.ms else None,
                "factory": spec.ms.factory if spec.ms else None,
            },
            "device": spec.device,
            "rtol": spec.rtol,
            "atol": spec.atol,
            "seed": spec.seed,
            "stages": {},
            "first_divergence": None,
            "error": None,
            "notes": [],
        }
        self.torch_sites: dict[str, Any] = {}
        self.ms_sites: dict[str, Any] = {}
        self.pairs: list[dict[str, Any]] = []

    def stage(self, name: str, message: str = "") -> None:
        self.handle.check()
        if self.progress is not None:
            self.progress(name, message or name)

    # -- the stages ------------------------------------------------------------------------

    def build(self, sides: Sides, ms: ModelRef) -> None:
        self.stage("building", "starting torch and MindSpore")
        sides.start()
        self._versions(sides)
        self.stage("building", "building both models")
        spec = self.spec
        t = sides.call(
            "torch",
            "build",
            "building",
            file=str(spec.torch.file),
            factory=spec.torch.factory,
            inputs=spec.inputs,
        )
        m = sides.call(
            "mindspore",
            "build",
            "building",
            file=str(ms.file),
            factory=ms.factory,
            paths=[str(spec.user_root)],
        )
        self.torch_sites = _sites(t["modules"])
        self.ms_sites = _sites(m["modules"])
        self.result["inputs"] = t["inputs"]
        self.result["stages"]["building"] = {
            "status": "ok",
            "seconds_torch": t["seconds"],
            "seconds_ms": m["seconds"],
            "layers_torch": len(t["modules"]),
            "layers_ms": len(m["modules"]),
        }
        self.helpers = {"torch": t["helpers"], "mindspore": m["helpers"]}
        for name in ("loss_fn", "make_optimizer", "make_scheduler"):
            if t["helpers"][name] and not m["helpers"][name]:
                self.result["notes"].append(
                    f"the torch file defines {name}() and the port does not: the port uses "
                    "the default"
                )
        self.torch_modules = t["modules"]
        self.ms_params = m["params"]

    def _versions(self, sides: Sides) -> None:
        self.result["torch"]["version"] = sides.versions.get("torch")
        self.result["mindspore"]["version"] = sides.versions.get("mindspore")
        self.result["python"] = sides.versions.get("python")

    def weights(self, sides: Sides) -> bool:
        self.stage("weights", "copying torch's weights into the port")
        wmap = map_weights(self.torch_modules, self.ms_params)
        stage = wmap.to_dict()
        self.result["stages"]["weights"] = stage
        if not wmap.ok:
            first_name = (
                wmap.unmatched_torch + wmap.unmatched_ms + [m["torch"] for m in wmap.shape_mismatch]
            )[0]
            side_sites = self.ms_sites if first_name in wmap.unmatched_ms else self.torch_sites
            path = _module_of(first_name, side_sites)
            self._diverged(
                "weights", path, {"note": wmap.problems()[0], "problems": wmap.problems()}
            )
            return False
        self.pairs = wmap.pairs
        sides.call("mindspore", "load_weights", "weights", pairs=wmap.pairs)
        return True

    def dataset(self, sides: Sides, ms: ModelRef) -> None:
        batches = DATASET_BATCHES
        self.stage("dataset", f"the first {batches} batches of make_dataset() in both")
        t = sides.call(
            "torch", "dataset", "dataset", file=str(self.spec.torch.file), batches=batches
        )
        m = sides.call(
            "mindspore",
            "dataset",
            "dataset",
            file=str(ms.file),
            batches=batches,
            rtol=self.spec.rtol,
            atol=self.spec.atol,
            batched=t["batched"],
            paths=[str(self.spec.user_root)],
        )
        first = m["first"]
        self.result["stages"]["dataset"] = {
            "status": "diverges" if first else "ok",
            "batches": t["batches"],
            "rows": m["rows"],
            "first": first,
        }
        if first is not None:
            where = f"batch {first['batch']}"
            if first.get("sample") is not None:
                where += f", sample {first['sample']}"
            if first.get("field") is not None:
                where += f", field {first['field']}"
            note = f"{where}: {first.get('note') or 'values differ'}"
            self._diverged(
                "dataset",
                "",
                {**first, "note": note},
                batch=first["batch"],
                sample=first.get("sample"),
                field=first.get("field"),
            )

    def forward(self, sides: Sides) -> None:
        self.stage("forward", "forward pass with a hook on every layer")
        t, m = sides.both("forward", {"op": "forward"}, {"op": "forward"})
        self.stage("forward", "comparing layer outputs")
        c = sides.call(
            "mindspore", "compare_forward", "forward", rtol=self.spec.rtol, atol=self.spec.atol
        )
        rows = c["rows"]
        for row in rows:
            row["port"] = self._site(self.ms_sites, row["path"])
            row["torch_site"] = self._site(self.torch_sites, row["path"])
        diverging = [r for r in rows if r["status"] == "diverges"]
        missing = [r for r in rows if r["status"] == "missing"]
        output = next((r for r in reversed(rows) if r["path"] == ""), None)
        self.result["stages"]["forward"] = {
            "status": "diverges" if diverging else "ok",
            "layers": len(rows),
            "diverging": len(diverging),
            "missing_in_port": [r["path"] for r in missing],
            "output": _figures(output) if output else None,
            "seconds_torch": t["seconds"],
            "seconds_ms": m["seconds"],
            "rows": rows,
            "first": c["first"],
        }
        if c["first"] is not None:
            self._diverged("forward", c["first"]["path"], c["first"])

    def backward(self, sides: Sides) -> None:
        self.stage("backward", "one backward pass of the same loss")
        t, m = sides.both("backward", {"op": "backward"}, {"op": "backward"})
        pairs = [p for p in self.pairs if p["kind"] == "param" and p["trainable"]]
        c = sides.call(
            "mindspore",
            "compare_arrays",
            "backward",
            torch_file="grads_torch.npz",
            ms_file="grads_ms.npz",
            pairs=pairs,
            rtol=self.spec.rtol,
            atol=self.spec.atol,
        )
        rows = c["rows"]
        for row in rows:
            row["path"] = _module_of(row["torch"], self.torch_sites)
            row["port"] = self._site(self.ms_sites, row["path"])
        diverging = [r for r in rows if not r["agree"]]
        loss_ok = _close(m["loss"], t["loss"], self.spec.rtol, self.spec.atol)
        # Backward runs from the output: the first gradient to differ is the last in forward
        # (registration) order; those before it differ because it does.
        first = dict(diverging[-1]) if diverging else None
        self.result["stages"]["backward"] = {
            "status": "diverges" if diverging or not loss_ok else "ok",
            "loss_torch": t["loss"],
            "loss_ms": m["loss"],
            "gradients": len(rows),
            "diverging": len(diverging),
            "seconds_torch": t["seconds"],
            "seconds_ms": m["seconds"],
            "rows": rows,
            "first": first,
        }
        if first is not None:
            self._diverged("backward", first["path"], first, parameter=first["torch"])
        elif not loss_ok:
            self._diverged("backward", "", {"note": "the loss differs"})

    def training(self, sides: Sides) -> None:
        steps = self.spec.steps
        self.stage("training", f"{steps} training steps")
        t, m = sides.both(
            "training", {"op": "train", "steps": steps}, {"op": "train", "steps": steps}
        )
        rtol, atol = self.spec.rtol, self.spec.atol
        loss_rows = []
        for i, (lt, lm) in enumerate(zip(t["losses"], m["losses"], strict=False)):
            lr_t, lr_m = t["lrs"][i], m["lrs"][i]
            lr_ok = lr_m is None or _close(lr_m, lr_t, rtol, atol)
            loss_rows.append(
                {
                    "step": i + 1,
                    "loss_torch": lt,
                    "loss_ms": lm,
                    "lr_torch": lr_t,
                    "lr_ms": lr_m,
                    "agree": _close(lm, lt, rtol, atol) and lr_ok,
                }
            )
        c = sides.call(
            "mindspore",
            "compare_arrays",
            "training",
            torch_file="trained_torch.npz",
            ms_file="trained_ms.npz",
            pairs=self.pairs,
            rtol=rtol,
            atol=atol,
        )
        drift = c["rows"]
        for row in drift:
            row["path"] = _module_of(row["torch"], self.torch_sites)
        bad_steps = [r for r in loss_rows if not r["agree"]]
        bad_drift = [r for r in drift if not r["agree"]]
        worst = max(
            (r for r in drift if r.get("max_abs") is not None),
            key=lambda r: r["max_abs"],
            default=None,
        )
        self.result["stages"]["training"] = {
            "status": "diverges" if bad_steps or bad_drift else "ok",
            "steps": steps,
            "optimizer_torch": t["optimizer"],
            "optimizer_ms": m["optimizer"],
            "scheduler_torch": t["scheduler"],
            "scheduler_ms": m["scheduler"],
            "losses": loss_rows,
            "drift": drift,
            "drift_diverging": len(bad_drift),
            "worst_drift": worst,
            "seconds_torch": t["seconds"],
            "seconds_ms": m["seconds"],
        }
        if bad_steps:
            step = bad_steps[0]
            note = (
                f"step {step['step']}: loss {step['loss_ms']:.6g} in MindSpore, "
                f"{step['loss_torch']:.6g} in torch"
            )
            if step["lr_ms"] is not None and not _close(
                step["lr_ms"], step["lr_torch"], rtol, atol
            ):
                note += f"; learning rate {step['lr_ms']:.6g} vs {step['lr_torch']:.6g}"
            self._diverged("training", "", {"note": note, "step": step["step"]})
        elif bad_drift:
            first = bad_drift[0]
            note = f"{first['torch']} after {steps} steps"
            self._diverged(
                "training", first["path"], dict(first, note=note), parameter=first["torch"]
            )

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _site(sites: dict[str, Any], path: str) -> dict[str, Any] | None:
        site = sites.get(path)
        if site is None:
            return None
        return {"file": site["file"], "line": site["line"], "col": site["col"]}

    def _diverged(self, stage: str, path: str, figures: dict[str, Any], **extra: Any) -> None:
        if self.result["first_divergence"] is not None:
            return
        self.result["first_divergence"] = {
            "stage": stage,
            "path": path,
            "type_torch": (self.torch_sites.get(path) or {}).get("type"),
            "type_ms": (self.ms_sites.get(path) or {}).get("type"),
            "port": self._site(self.ms_sites, path),
            "torch_site": self._site(self.torch_sites, path),
            **{
                k: figures.get(k)
                for k in (
                    "max_abs",
                    "max_rel",
                    "cosine",
                    "within",
                    "note",
                    "between_layers",
                    "call",
                    "problems",
                )
                if figures.get(k) is not None
            },
            **extra,
        }

    def run(self, ms: ModelRef | None) -> dict[str, Any]:
        started = time.perf_counter()
        workdir = Path(tempfile.mkdtemp(prefix="mindport-align-"))
        sides = Sides(self.spec, workdir, self.handle, self.progress)
        try:
            if ms is None:
                self.stage("building", "converting the torch file")
                ms, info = in_memory_port(self.spec, workdir)
                self.result["mindspore"].update(file=str(ms.file), factory=ms.factory, **info)
                if info["markers"]:
                    self.result["notes"].append(
                        f"the conversion left {len(info['markers'])} place(s) for a person "
                        "(# mindport: markers); they may stop the port from running"
                    )
            self.stages(sides, ms)
        except RunFailure as failure:
            self.result["error"] = failure.to_dict()
        finally:
            sides.close()
            shutil.rmtree(workdir, ignore_errors=True)
            self.result["workers"] = {side: w.pid for side, w in sides.workers.items()}
            self.result["workdir"] = str(workdir)
        self.result["seconds"] = time.perf_counter() - started
        return finish(self.result)

    def stages(self, sides: Sides, ms: ModelRef) -> None:
        wanted = self.spec.stages
        if wanted == ("dataset",):  # `--data`: the datasets alone, no model is built
            self.stage("building", "starting torch and MindSpore")
            sides.start()
            self._versions(sides)
            self.dataset(sides, ms)
            return
        self.build(sides, ms)
        if all(h["make_dataset"] for h in self.helpers.values()):
            self.dataset(sides, ms)
        if not self.weights(sides):
            return
        if "forward" in wanted:
            self.forward(sides)
        if "backward" in wanted:
            self.backward(sides)
        if "training" in wanted and self.spec.steps > 0:
            self.training(sides)


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("agree", "max_abs", "max_rel", "cosine", "within", "note")}


def finish(result: dict[str, Any]) -> dict[str, Any]:
    error = result.get("error")
    if error is not None:
        status = {"usage": "usage", "cancelled": "cancelled"}.get(error["kind"], "error")
    elif result["first_divergence"] is not None or any(
        s.get("status") == "diverges" for s in result["stages"].values()
    ):
        status = "diverges"
    else:
        status = "ok"
    result["status"] = status
    result["exit_code"] = EXIT[status]
    return result


def run_alignment(
    spec: RunSpec, progress: Progress | None = None, handle: RunHandle | None = None
) -> dict[str, Any]:
    """Align `spec.torch` with `spec.ms`; never raises for a model's failure (see `error`)."""
    try:
        spec.check()
    except SpecError as exc:
        result = {
            "stages": {},
            "first_divergence": None,
            "notes": [],
            "error": {"kind": "usage", "message": str(exc)},
        }
        return finish(result)
    return Alignment(spec, progress, handle).run(spec.ms)
