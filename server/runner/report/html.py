"""`index.html` of a report: one page, no scripts, no outside resources; every piece of text
from the run goes through `html.escape`."""

from __future__ import annotations

import html
import os
from typing import Any

from server.runner.report import plots

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12.5px;margin:.5em 0}
th,td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.bad td{background:#fde8e8}tr.first td{background:#f9c4c4;font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:8px;color:#fff;font-weight:600}
.ok{background:#3a8a3a}.diverges{background:#c0142c}.error,.usage,.cancelled{background:#7a4b00}
.box{border:1px solid #ccc;border-left:5px solid #c0142c;padding:.6em 1em;background:#fff8f8}
pre{background:#f6f6f6;padding:.6em;overflow:auto;font-size:12px}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}
.scroll{max-height:480px;overflow:auto}
"""


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _num(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}e}" if abs(value) < 1e-3 or abs(value) >= 1e4 else f"{value:.6g}"


def _site(site: dict[str, Any] | None, data: dict[str, Any] | None = None) -> str:
    """`file:line`, the file relative to the torch file's folder when it is inside it; a port
    converted in memory is `port.py` beside the report."""
    if not site or not site.get("file"):
        return ""
    file = str(site["file"])
    ms = (data or {}).get("mindspore", {})
    if ms.get("converted_in_memory") and file == ms.get("file"):
        return f"port.py:{site['line']}"
    torch_file = (data or {}).get("torch", {}).get("file")
    if torch_file:
        folder = os.path.dirname(str(torch_file)) + os.sep
        if file.startswith(folder):
            file = file[len(folder) :]
    return f"{file}:{site['line']}"


def _table(table_id: str, head: list[str], rows: list[tuple[str, list[str]]]) -> str:
    out = [f'<div class="scroll"><table id="{e(table_id)}"><thead><tr>']
    out += [f"<th>{e(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for css, cells in rows:
        out.append(f'<tr class="{css}">' + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _td(value: Any, numeric: bool = False) -> str:
    return f'<td class="n">{e(value)}</td>' if numeric else f"<td>{e(value)}</td>"


def _figure(svg: str | None, caption: str, figure_id: str) -> str:
    if not svg:
        return ""
    return f'<figure id="{e(figure_id)}">{svg}<figcaption>{e(caption)}</figcaption></figure>'


def _header(data: dict[str, Any]) -> list[str]:
    status = data.get("status", "?")
    t, m = data.get("torch", {}), data.get("mindspore", {})
    port = (
        "converted in memory (port.py beside this page)"
        if m.get("converted_in_memory")
        else f"{m.get('file')}::{m.get('factory')}"
    )
    inputs = ", ".join(
        f"{i['dtype']}[{','.join(map(str, i['shape']))}]" for i in data.get("inputs") or []
    )
    return [
        f'<h1>mindport: {e(t.get("factory"))} <span class="badge {e(status)}" id="status">'
        f"{e(status)}</span></h1>",
        '<table id="run"><tbody>',
        f"<tr><th>torch</th><td>{e(t.get('file'))}::{e(t.get('factory'))} (torch "
        f"{e(t.get('version'))})</td></tr>",
        f"<tr><th>MindSpore</th><td>{e(port)} (MindSpore {e(m.get('version'))})</td></tr>",
        f"<tr><th>device</th><td>{e(data.get('device'))}; Python {e(data.get('python'))}</td></tr>",
        f"<tr><th>inputs</th><td>{e(inputs)}</td></tr>",
        f"<tr><th>tolerance</th><td>rtol {e(data.get('rtol'))}, atol {e(data.get('atol'))}; "
        f"seed {e(data.get('seed'))}</td></tr>",
        "</tbody></table>",
    ]


def _verdict(data: dict[str, Any]) -> list[str]:
    error = data.get("error")
    if error:
        frame = error.get("frame") or {}
        where = f" at {frame.get('file')}:{frame.get('line')}" if frame else ""
        out = [
            f'<div class="box" id="error"><b>{e(error.get("kind"))}</b>{e(where)}: '
            f"{e(error.get('message'))}</div>"
        ]
        if error.get("traceback"):
            out.append(
                f"<details><summary>traceback</summary><pre>{e(error['traceback'])}</pre></details>"
            )
        return out
    first = data.get("first_divergence")
    if not first:
        return ['<p id="verdict">Every stage agrees within tolerance.</p>']
    facts = [
        f"stage <b>{e(first.get('stage'))}</b>",
        f"module <code>{e(first.get('path') or '(the whole model)')}</code>",
        f"{e(first.get('type_torch'))} → {e(first.get('type_ms'))}",
    ]
    if first.get("parameter"):
        facts.append(f"parameter <code>{e(first['parameter'])}</code>")
    for key, label in (
        ("max_abs", "max abs error"),
        ("max_rel", "max rel error"),
        ("cosine", "cosine"),
    ):
        if first.get(key) is not None:
            facts.append(f"{label} {e(_num(first[key]))}")
    if first.get("within") is not None:
        facts.append(f"{first['within']:.1%} within tolerance")
    out = ['<div class="box" id="verdict"><b>First divergence</b>: ' + "; ".join(facts)]
    if first.get("note"):
        out.append(f"<br>{e(first['note'])}")
    for label, key in (("port", "port"), ("torch", "torch_site")):
        if _site(first.get(key), data):
            out.append(f"<br>{label}: <code>{e(_site(first.get(key), data))}</code>")
    out.append("</div>")
    return out


def _stages(data: dict[str, Any]) -> list[str]:
    rows = []
    for name, stage in data.get("stages", {}).items():
        css = "bad" if stage.get("status") == "diverges" else ""
        seconds = [stage.get("seconds_torch"), stage.get("seconds_ms")]
        time_text = " / ".join("-" if s is None else f"{s:.2f} s" for s in seconds)
        rows.append((css, [_td(name), _td(stage.get("status")), _td(time_text)]))
    return [
        "<h2>Stages</h2>",
        _table("stages", ["stage", "status", "time torch / MindSpore"], rows),
    ]


def _forward(data: dict[str, Any]) -> list[str]:
    stage = data.get("stages", {}).get("forward")
    if not stage:
        return []
    rows_in = [r for r in stage["rows"] if r.get("type_ms")]
    first = stage.get("first") or {}
    rows = []
    for index, row in enumerate(rows_in):
        is_first = row["path"] == first.get("path") and row.get("call") == first.get("call")
        css = "first" if is_first else ("bad" if not row.get("agree") else "")
        rows.append(
            (
                css,
                [
                    _td(index, True),
                    _td(row["path"] or "(model)"),
                    _td(row.get("type_torch")),
                    _td(row.get("type_ms")),
                    _td(_num(row.get("max_abs")), True),
                    _td(_num(row.get("max_rel")), True),
                    _td("-" if row.get("cosine") is None else f"{row['cosine']:.6f}", True),
                    _td(f"{row.get('within', 0):.1%}", True),
                    _td(_num(row.get("tolerance_ratio")), True),
                    _td("agrees" if row.get("agree") else (row.get("note") or "differs")),
                    _td(_site(row.get("port"), data)),
                ],
            )
        )
    missing = [r["path"] for r in stage["rows"] if r.get("status") == "missing"]
    out = [
        "<h2>Forward</h2>",
        _figure(
            plots.layer_errors(rows_in),
            "Largest error of each layer call over its tolerance, atol + rtol × |torch| "
            "(log scale; above 1, red: outside tolerance).",
            "plot-forward",
        ),
        _table(
            "layers",
            [
                "#",
                "module path",
                "torch",
                "MindSpore",
                "max abs",
                "max rel",
                "cosine",
                "within tol.",
                "error / tol.",
                "status",
                "defined at (port)",
            ],
            rows,
        ),
    ]
    if missing:
        out.append(f"<p>torch layers the port has no cell for: {e(', '.join(missing))}</p>")
    return out


def _backward(data: dict[str, Any]) -> list[str]:
    stage = data.get("stages", {}).get("backward")
    if not stage:
        return []
    rows = []
    for row in stage["rows"]:
        css = "bad" if not row.get("agree") else ""
        rows.append(
            (
                css,
                [
                    _td(row["torch"]),
                    _td(row["ms"]),
                    _td(_num(row.get("max_abs")), True),
                    _td(_num(row.get("max_rel")), True),
                    _td(f"{row.get('within', 0):.1%}", True),
                ],
            )
        )
    return [
        "<h2>Backward</h2>",
        f"<p>loss torch {e(_num(stage['loss_torch']))}, MindSpore {e(_num(stage['loss_ms']))}</p>",
        _figure(
            plots.gradient_errors(stage["rows"]),
            "Largest error of each parameter's gradient over its tolerance (log scale).",
            "plot-backward",
        ),
        _table(
            "gradients",
            ["torch parameter", "MindSpore parameter", "max abs", "max rel", "within tol."],
            rows,
        ),
    ]


def _training(data: dict[str, Any]) -> list[str]:
    stage = data.get("stages", {}).get("training")
    if not stage:
        return []
    rows = []
    for row in stage["losses"]:
        css = "bad" if not row.get("agree") else ""
        rows.append(
            (
                css,
                [
                    _td(row["step"], True),
                    _td(_num(row["loss_torch"]), True),
                    _td(_num(row["loss_ms"]), True),
                    _td(_num(row["lr_torch"]), True),
                    _td(_num(row["lr_ms"]), True),
                ],
            )
        )
    drift = sorted(
        (r for r in stage["drift"] if r.get("max_abs") is not None), key=lambda r: -r["max_abs"]
    )[:20]
    drift_rows = [
        (
            "bad" if not r.get("agree") else "",
            [
                _td(r["torch"]),
                _td(r["ms"]),
                _td(_num(r["max_abs"]), True),
                _td(_num(r.get("max_rel")), True),
            ],
        )
        for r in drift
    ]
    return [
        "<h2>Training</h2>",
        f"<p>{e(stage['steps'])} steps; optimizer torch {e(stage['optimizer_torch'])}, "
        f"MindSpore {e(stage['optimizer_ms'])}; scheduler {e(stage['scheduler_torch'])} / "
        f"{e(stage['scheduler_ms'])}</p>",
        _figure(
            plots.loss_curves(stage["losses"]), "Loss per step in both frameworks.", "plot-loss"
        ),
        _table(
            "losses", ["step", "loss torch", "loss MindSpore", "lr torch", "lr MindSpore"], rows
        ),
        f"<p>Parameter drift after {e(stage['steps'])} steps: {e(stage['drift_diverging'])} "
        f"of {e(len(stage['drift']))} tensors outside tolerance; the largest:</p>",
        _table("drift", ["torch", "MindSpore", "max abs", "max rel"], drift_rows),
    ]


def _tied(stage: dict[str, Any]) -> str:
    tied = stage.get("tied") or []
    if not tied:
        return ""
    names = ", ".join(f"{t['torch']} = {t['same_as']}" for t in tied)
    return f"; {len(tied)} shared with another name, one Parameter in the port ({e(names)})"


def _constants(stage: dict[str, Any]) -> str:
    kept = stage.get("port_constants") or []
    if not kept:
        return ""
    return (
        f"; {len(kept)} non-trainable port parameters with no torch value kept as the port "
        f"built them ({e(', '.join(kept))})"
    )


def _weights(data: dict[str, Any]) -> list[str]:
    stage = data.get("stages", {}).get("weights")
    if not stage:
        return []
    out = [
        "<h2>Weights</h2>",
        f"<p>{e(stage['mapped'])} tensors copied from torch ({e(stage['renamed'])} renamed by "
        f"the layer table); {e(len(stage['dropped']))} torch-only values dropped"
        f"{_tied(stage)}{_constants(stage)}.</p>",
    ]
    problems = (
        [("bad", [_td(n), _td("no counterpart in the port")]) for n in stage["unmatched_torch"]]
        + [
            ("bad", [_td(n), _td("port parameter with no torch counterpart")])
            for n in stage["unmatched_mindspore"]
        ]
        + [
            (
                "bad",
                [_td(m["torch"]), _td(f"shape {m['torch_shape']} vs {m['ms_shape']} ({m['ms']})")],
            )
            for m in stage["shape_mismatch"]
        ]
    )
    if problems:
        out.append(_table("weight-problems", ["name", "problem"], problems))
    return out


def _profile(data: dict[str, Any]) -> list[str]:
    profile = data.get("profile")
    if not profile or not profile.get("layers"):
        return []
    rows = []
    for index, row in enumerate(profile["layers"]):
        rows.append(
            (
                "",
                [
                    _td(index, True),
                    _td(row["path"]),
                    _td(row.get("type")),
                    _td(_num(row.get("forward_ms_torch")), True),
                    _td(_num(row.get("forward_ms_ms")), True),
                    _td(_num(row.get("backward_ms_torch")), True),
                    _td(_num(row.get("backward_ms_ms")), True),
                    _td(_num(row.get("ratio")), True),
                ],
            )
        )
    return [
        "<h2>Profile</h2>",
        _figure(
            plots.layer_times(profile["layers"]),
            "Forward + backward time per layer.",
            "plot-profile",
        ),
        _table(
            "profile",
            [
                "#",
                "module path",
                "type",
                "fwd torch ms",
                "fwd MindSpore ms",
                "bwd torch ms",
                "bwd MindSpore ms",
                "ratio",
            ],
            rows,
        ),
    ]


def render_html(data: dict[str, Any]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>mindport report: {e(data.get('torch', {}).get('factory'))}</title>",
        f"<style>{CSS}</style></head><body>",
    ]
    parts += _header(data)
    parts += _verdict(data)
    for note in data.get("notes", []):
        parts.append(f'<p class="note">note: {e(note)}</p>')
    parts += _stages(data)
    parts += _weights(data)
    parts += _forward(data)
    parts += _backward(data)
    parts += _training(data)
    parts += _profile(data)
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)
