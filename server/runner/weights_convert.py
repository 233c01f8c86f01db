"""`mindport weights convert model.pth -o model.ckpt`: a torch checkpoint as a MindSpore one,
every name through the same weight map as alignment (server/runner/align/weights.py).

With `--model TORCH_FILE::FACTORY` the layer types come from the model and the checkpoint's
names are checked against it; the port (`--ms`, or the model's file converted in memory) is
built and every name is checked against its parameters, then the checkpoint is saved from the
port itself. Without `--model`, the types are inferred from the names alone: a module holding
`running_mean` and `running_var` is a BatchNorm; every other name is kept as it is, and the
output says so (such a checkpoint is checked by loading it into the port, or with --model).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from server.runner.align.in_memory import in_memory_port
from server.runner.align.sides import RunFailure, Sides
from server.runner.align.spec import ModelRef, RunSpec, SpecError, parse_model_ref
from server.runner.align.weights import WeightMap, map_weights

BATCH_NORM_STATS = ("running_mean", "running_var")


def infer_modules(tensors: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Module descriptions from state dict names alone (see the module docstring)."""
    by_module: dict[str, dict[str, list[int]]] = {}
    for name, fact in tensors.items():
        path, _, local = name.rpartition(".")
        by_module.setdefault(path, {})[local] = fact["shape"]
    modules = []
    for path, entries in by_module.items():
        batch_norm = all(stat in entries for stat in BATCH_NORM_STATS)
        kind = "torch.nn.BatchNorm2d" if batch_norm else "unknown"
        modules.append({"path": path, "type": kind, "params": entries, "buffers": {}})
    return modules


def _rename_only(modules: list[dict[str, Any]]) -> WeightMap:
    """The map with no port to check against: every torch name and its MindSpore name."""
    names: dict[str, Any] = {}
    from mapping_db.layer_attributes import layer_table

    table = layer_table()
    for module in modules:
        layer = table.get(module["type"])
        for local, shape in module["params"].items():
            fact = layer.attributes.get(local) if layer is not None else None
            target = local if fact is None else fact.mindspore
            if target:
                full = f"{module['path']}.{target}" if module["path"] else target
                names[full] = {"shape": shape, "trainable": True}
    return map_weights(modules, names)


def convert_checkpoint(
    checkpoint: Path,
    output: Path,
    *,
    model: str | None = None,
    ms: str | None = None,
    python: str,
    timeout: float = 300.0,
) -> dict[str, Any]:
    if not checkpoint.is_file():
        raise SpecError(f"no such file: {checkpoint}")
    if ms and not model:
        raise SpecError("--ms needs --model (the torch model the weights belong to)")
    torch_ref = parse_model_ref(model) if model else None
    port_ref = parse_model_ref(ms, torch_ref.factory) if ms and torch_ref else None
    anchor = torch_ref or ModelRef(checkpoint.resolve(), "state_dict")
    spec = RunSpec(anchor, port_ref, python=python, timeout=timeout, stages=())
    result: dict[str, Any] = {
        "checkpoint": str(checkpoint),
        "output": str(output),
        "model": model,
        "error": None,
        "notes": [],
    }
    workdir = Path(tempfile.mkdtemp(prefix="mindport-weights-"))
    sides = Sides(spec, workdir)
    try:
        sides.start()
        build = None
        if torch_ref is not None:
            build = sides.call(
                "torch",
                "build",
                "building",
                file=str(torch_ref.file),
                factory=torch_ref.factory,
                inputs_optional=True,
            )
        read = sides.call("torch", "read_checkpoint", "reading", path=str(checkpoint.resolve()))
        if torch_ref is not None:
            problems = (
                [f"{n}: in the model, not in the checkpoint" for n in read["missing"]]
                + [f"{n}: in the checkpoint, not in the model" for n in read["unexpected"]]
                + [f"{n}: another shape than the model's" for n in read.get("wrong_shape", [])]
            )
            if problems:
                result["problems"] = problems
                raise RunFailure("the checkpoint does not fit the model", kind="mismatch")
            if port_ref is None:
                port_ref, _ = in_memory_port(spec, workdir)
                result["port"] = "converted in memory"
            port = sides.call(
                "mindspore",
                "build",
                "building",
                file=str(port_ref.file),
                factory=port_ref.factory,
                paths=[str(spec.user_root)],
            )
            assert build is not None
            wmap = map_weights(build["modules"], port["params"])
        else:
            wmap = _rename_only(infer_modules(read["tensors"]))
            result["notes"].append(
                "no --model: BatchNorm layers were recognised by their running statistics; "
                "every other name is kept as it is (check with --model FILE::FACTORY)"
            )
        result["map"] = wmap.to_dict()
        if not wmap.ok:
            result["problems"] = wmap.problems()
            raise RunFailure("the checkpoint does not fit the port", kind="mismatch")
        output.parent.mkdir(parents=True, exist_ok=True)
        written = sides.call(
            "mindspore",
            "write_checkpoint",
            "writing",
            pairs=wmap.pairs,
            output=str(output.resolve()),
        )
        result["written"] = written["written"]
    except RunFailure as failure:
        result["error"] = failure.to_dict()
    finally:
        sides.close()
        shutil.rmtree(workdir, ignore_errors=True)
    error = result["error"]
    if error is None:
        result["exit_code"] = 0
    else:
        result["exit_code"] = {"usage": 2, "mismatch": 1}.get(error["kind"], 3)
    return result


def render_conversion(result: dict[str, Any]) -> list[str]:
    lines = []
    error = result.get("error")
    for problem in result.get("problems", []):
        lines.append(f"{result['checkpoint']}: {problem}")
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    if error is not None:
        frame = error.get("frame")
        where = f"{frame['file']}:{frame['line']}: " if frame else ""
        lines.append(f"{where}error: {error['message']}")
        return lines
    wmap = result["map"]
    lines.append(
        f"{result['output']}: {result['written']} tensors written "
        f"({wmap['renamed']} renamed, {len(wmap['dropped'])} torch-only dropped)"
    )
    return lines
