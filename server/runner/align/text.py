"""The alignment result as lines of text, in the command line's style: the first divergent
layer on the last line as `path:line:col: message`."""

from __future__ import annotations

from typing import Any


def _g(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}e}"


def _short(type_name: str | None) -> str:
    return (type_name or "?").rsplit(".", 1)[-1]


def _inputs(result: dict[str, Any]) -> str:
    items = result.get("inputs") or []
    return ", ".join(f"{i['dtype']}[{','.join(map(str, i['shape']))}]" for i in items) or "?"


def location(result: dict[str, Any], first: dict[str, Any]) -> str:
    """Where to point: the port's defining line, or the torch one when the port was converted
    in memory (its file is gone after the run)."""
    in_memory = result.get("mindspore", {}).get("converted_in_memory")
    site = first.get("torch_site") if in_memory else first.get("port") or first.get("torch_site")
    if not site or not site.get("file"):
        return result["torch"]["file"]
    return f"{site['file']}:{site['line']}:{site['col'] + 1}"


def divergence_message(first: dict[str, Any]) -> str:
    stage = first["stage"]
    if stage == "dataset":
        return f"first difference in the datasets: {first.get('note')}"
    path = first["path"] or "(the whole model)"
    kinds = f"{_short(first.get('type_torch'))} -> {_short(first.get('type_ms'))}"
    head = f"first divergent layer {path} ({kinds}), {stage}"
    if first.get("parameter"):
        head += f", parameter {first['parameter']}"
    figures = []
    if first.get("max_abs") is not None:
        figures.append(f"max abs error {_g(first['max_abs'])}")
    if first.get("cosine") is not None:
        figures.append(f"cosine {first['cosine']:.6f}")
    if first.get("within") is not None:
        figures.append(f"{first['within']:.1%} within tolerance")
    if first.get("note"):
        figures.append(first["note"])
    if first.get("between_layers"):
        figures.append("its inputs already differ: the difference arises in code between layers")
    return head + (": " + "; ".join(figures) if figures else "")


def _stage_line(name: str, stage: dict[str, Any]) -> str:
    status = stage.get("status", "?")
    if name == "building":
        detail = f"{stage['layers_torch']} torch modules, {stage['layers_ms']} MindSpore cells"
    elif name == "weights":
        detail = f"{stage['mapped']} tensors copied ({stage['renamed']} renamed)"
        if stage["dropped"]:
            detail += f", {len(stage['dropped'])} torch-only dropped"
        if stage.get("tied"):
            detail += f", {len(stage['tied'])} tied to another"
        if stage.get("port_constants"):
            detail += f", {len(stage['port_constants'])} port-only constants kept as built"
        problems = (
            len(stage["unmatched_torch"])
            + len(stage["unmatched_mindspore"])
            + len(stage["shape_mismatch"])
        )
        if problems:
            detail += f"; {problems} do not match"
    elif name == "dataset":
        compared = len(stage["rows"])
        bad = sum(1 for r in stage["rows"] if not r.get("agree"))
        detail = f"{stage['batches']} batches, {compared} fields compared, {bad} differ"
    elif name == "forward":
        out = stage.get("output") or {}
        detail = f"{stage['layers']} layer calls compared, {stage['diverging']} differ"
        if out:
            detail += f"; output max abs {_g(out.get('max_abs'))}"
            if out.get("cosine") is not None:
                detail += f", cosine {out['cosine']:.6f}"
        if stage["missing_in_port"]:
            detail += f"; {len(stage['missing_in_port'])} torch layers not in the port"
    elif name == "backward":
        detail = (
            f"{stage['gradients']} gradients, {stage['diverging']} differ; loss "
            f"{stage['loss_torch']:.6g} torch, {stage['loss_ms']:.6g} MindSpore"
        )
    elif name == "training":
        losses = stage["losses"]
        detail = f"{stage['steps']} steps ({stage['optimizer_torch']} / {stage['optimizer_ms']})"
        if losses:
            last = losses[-1]
            detail += f"; last loss {last['loss_torch']:.6g} torch, {last['loss_ms']:.6g} MindSpore"
        detail += f"; {stage['drift_diverging']} of {len(stage['drift'])} tensors drift apart"
    else:
        detail = ""
    return f"{name:9} {status:9} {detail}"


def summary_rows(result: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    rows = [r for r in result["stages"].get("forward", {}).get("rows", []) if r.get("type_ms")]
    rows.sort(key=lambda r: (r["agree"], -(r.get("max_rel") or 0.0)))
    return rows[:limit]


def render(result: dict[str, Any], layers: int = 10) -> list[str]:
    lines: list[str] = []
    error = result.get("error")
    if "torch" in result:
        t, m = result["torch"], result["mindspore"]
        port = "(converted in memory)" if m.get("converted_in_memory") else m.get("file")
        lines.append(f"torch      {t['file']}::{t['factory']}  (torch {t.get('version') or '?'})")
        lines.append(
            f"MindSpore  {port}::{m.get('factory')}  (MindSpore {m.get('version') or '?'})"
        )
        lines.append(
            f"device {result['device']}; inputs {_inputs(result)}; rtol "
            f"{result['rtol']:g}, atol {result['atol']:g}"
        )
    for name, stage in result.get("stages", {}).items():
        lines.append(_stage_line(name, stage))
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    rows = summary_rows(result, layers)
    if rows:
        lines.append("layers with the largest error (forward):")
        lines.append(
            f"  {'module path':32} {'torch -> MindSpore':30} {'max abs':>9} "
            f"{'max rel':>9} {'cosine':>9} {'within':>7}"
        )
        for row in rows:
            kinds = f"{_short(row['type_torch'])} -> {_short(row['type_ms'])}"
            cosine = "-" if row.get("cosine") is None else f"{row['cosine']:.6f}"
            lines.append(
                f"  {(row['path'] or '(model)')[:32]:32} {kinds[:30]:30} "
                f"{_g(row.get('max_abs')):>9} {_g(row.get('max_rel')):>9} "
                f"{cosine:>9} {row.get('within', 0):>7.1%}"
            )
    if result.get("report"):
        lines.append(f"report: {result['report']}")
    if error is not None:
        frame = error.get("frame")
        where = f"{frame['file']}:{frame['line']}: " if frame else ""
        label = "error" if error["kind"] != "usage" else "usage"
        lines.append(f"{where}{label}: {error['message']}")
    elif result.get("first_divergence"):
        first = result["first_divergence"]
        lines.append(f"{location(result, first)}: {divergence_message(first)}")
    else:
        lines.append(
            f"all stages agree within tolerance (rtol {result['rtol']:g}, atol {result['atol']:g})"
        )
    return lines
