"""The report's plots: matplotlib figures as inline SVG (text drawn as paths, no scripts)."""

from __future__ import annotations

import io
import math
from typing import Any

TORCH_COLOR = "#ee4c2c"
MS_COLOR = "#2f6fdf"
BAD_COLOR = "#c0142c"
OK_COLOR = "#3a8a3a"


def _svg(figure: Any) -> str:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "mindport"}):
        FigureCanvasSVG(figure).print_svg(buffer)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _figure(width: float = 9.0, height: float = 3.2) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=96)
    figure.set_layout_engine("tight")
    return figure


def _positive(value: float | None, floor: float) -> float:
    if value is None or not math.isfinite(value):
        return floor
    return max(value, floor)


def _errors(points: list[dict[str, Any]], title: str, xlabel: str, first_line: bool) -> str:
    """Each point's largest error in units of its tolerance, on a log scale; 1 is the limit."""
    floor = 1e-6
    figure = _figure()
    axes = figure.add_subplot()
    xs = list(range(len(points)))
    ys = [
        _positive(r.get("tolerance_ratio"), floor) if r.get("tolerance_ratio") is not None else 1e6
        for r in points
    ]
    colors = [OK_COLOR if r.get("agree") else BAD_COLOR for r in points]
    if first_line:
        axes.plot(xs, ys, color="#999999", linewidth=0.8, zorder=1)
    axes.scatter(xs, ys, c=colors, s=12, zorder=2)
    axes.axhline(1.0, color="#555555", linestyle="--", linewidth=0.8, label="tolerance")
    first = next((i for i, r in enumerate(points) if not r.get("agree")), None)
    if first is not None and first_line:
        axes.axvline(
            first,
            color=BAD_COLOR,
            linewidth=0.8,
            linestyle=":",
            label=f"first difference (#{first})",
        )
    axes.set_yscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("max error / tolerance")
    axes.set_title(title)
    axes.legend(loc="upper left", fontsize=8)
    return _svg(figure)


def layer_errors(rows: list[dict[str, Any]]) -> str | None:
    """Every layer call in execution order: its largest error over atol + rtol * |torch|."""
    points = [r for r in rows if r.get("type_ms")]
    if not points:
        return None
    return _errors(
        points,
        "Forward: error per layer (MindSpore vs torch)",
        "layer call, in execution order (# in the table)",
        True,
    )


def gradient_errors(rows: list[dict[str, Any]]) -> str | None:
    if not rows:
        return None
    return _errors(
        rows, "Backward: gradient error per parameter", "parameter, in registration order", False
    )


def loss_curves(losses: list[dict[str, Any]]) -> str | None:
    if not losses:
        return None
    figure = _figure(9.0, 3.0)
    axes = figure.add_subplot()
    steps = [r["step"] for r in losses]
    axes.plot(
        steps, [r["loss_torch"] for r in losses], marker="o", color=TORCH_COLOR, label="torch"
    )
    axes.plot(
        steps,
        [r["loss_ms"] for r in losses],
        marker="x",
        linestyle="--",
        color=MS_COLOR,
        label="MindSpore",
    )
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.set_xticks(steps)
    axes.set_title("Training: loss per step")
    axes.legend(fontsize=8)
    return _svg(figure)


def layer_times(layers: list[dict[str, Any]], limit: int = 20) -> str | None:
    """Forward + backward time of the costliest layers, torch and MindSpore side by side."""
    rows = [r for r in layers if r.get("total_ms_torch") is not None][:limit]
    if not rows:
        return None
    figure = _figure(9.0, max(2.5, 0.28 * len(rows) + 1.2))
    axes = figure.add_subplot()
    ys = list(range(len(rows)))
    height = 0.4
    axes.barh(
        [y - height / 2 for y in ys],
        [r["total_ms_torch"] or 0 for r in rows],
        height,
        color=TORCH_COLOR,
        label="torch",
    )
    axes.barh(
        [y + height / 2 for y in ys],
        [r["total_ms_ms"] or 0 for r in rows],
        height,
        color=MS_COLOR,
        label="MindSpore",
    )
    axes.set_yticks(ys)
    axes.set_yticklabels([f"#{i}" for i in ys], fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel("forward + backward, ms (median)")
    axes.set_title("Time per layer (# in the profile table)")
    axes.legend(fontsize=8)
    return _svg(figure)
