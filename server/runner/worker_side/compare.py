"""Compare MindSpore arrays with torch's (the reference): errors, cosine, share within
tolerance, and the first divergent layer."""

import numpy as np


def metrics(ms, torch, rtol, atol):
    """Figures for one pair of arrays. Agreement is numpy.allclose's test with torch as the
    reference: |ms - torch| <= atol + rtol * |torch| for every element (NaN matches NaN)."""
    result = {"shape_torch": list(torch.shape), "shape_ms": list(ms.shape)}
    if ms.shape != torch.shape:
        if ms.size == torch.size and ms.size > 0:
            ms = ms.reshape(torch.shape)
            result["note"] = "same elements, other shape"
        else:
            result.update(agree=False, max_abs=None, max_rel=None, cosine=None, within=0.0)
            result["note"] = f"shape {tuple(ms.shape)} in MindSpore, {tuple(torch.shape)} in torch"
            return result
    a = np.asarray(ms, dtype=np.float64)
    b = np.asarray(torch, dtype=np.float64)
    if a.size == 0:
        result.update(agree=True, max_abs=0.0, max_rel=0.0, cosine=1.0, within=1.0)
        return result
    both_nan = np.isnan(a) & np.isnan(b)
    diff = np.where(both_nan, 0.0, np.abs(a - b))
    diff = np.where(np.isnan(diff), np.inf, diff)
    bound = atol + rtol * np.abs(np.nan_to_num(b))
    ok = diff <= bound
    rel = diff / (np.abs(np.nan_to_num(b)) + atol)
    # the error in units of each element's tolerance: 1 is the limit, above 1 disagrees
    over = diff / bound if float(np.min(bound)) > 0 else np.where(diff > 0, np.inf, 0.0)
    norm = float(np.linalg.norm(np.nan_to_num(a)) * np.linalg.norm(np.nan_to_num(b)))
    if norm > 0:
        cosine = float(np.sum(np.nan_to_num(a) * np.nan_to_num(b)) / norm)
    else:
        cosine = 1.0 if float(np.max(diff)) == 0 else 0.0
    result.update(
        agree=bool(ok.all()),
        max_abs=_finite(np.max(diff)),
        max_rel=_finite(np.max(rel)),
        tolerance_ratio=_finite(np.max(over)),
        cosine=cosine,
        within=float(ok.mean()),
    )
    return result


def _finite(value):
    value = float(value)
    return value if np.isfinite(value) else None


def combine(parts):
    """Several arrays (a layer with several outputs) as one row: the worst of each figure."""
    if not parts:
        return {"agree": True, "max_abs": 0.0, "max_rel": 0.0, "cosine": 1.0, "within": 1.0}
    if len(parts) == 1:
        return parts[0]
    row = dict(parts[0])
    row["agree"] = all(p["agree"] for p in parts)
    worst_of = (
        ("max_abs", max),
        ("max_rel", max),
        ("tolerance_ratio", max),
        ("cosine", min),
        ("within", min),
    )
    for key, worst in worst_of:
        values = [p[key] for p in parts if p.get(key) is not None]
        row[key] = worst(values) if values else None
    notes = [p["note"] for p in parts if p.get("note")]
    if notes:
        row["note"] = notes[0]
    return row


def compare_records(torch_records, torch_arrays, ms_records, ms_arrays, rtol, atol):
    """One row per torch layer call, in torch's execution order, and the first divergent one.

    The first divergent layer is the first whose inputs agree and whose outputs do not. When
    every divergent layer got differing inputs, the difference arose between layers (code in a
    parent's forward): the first layer that got them is named, marked `between_layers`."""
    by_key = {(r["path"], r["call"]): r for r in ms_records}
    rows = []
    for record in torch_records:
        ms_record = by_key.get((record["path"], record["call"]))
        row = {"path": record["path"], "call": record["call"], "type_torch": record["type"]}
        if ms_record is None:
            row.update(status="missing", agree=None, inputs_agree=None, type_ms=None)
            rows.append(row)
            continue
        row["type_ms"] = ms_record["type"]
        t, m = record["index"], ms_record["index"]
        outs = []
        for i in range(max(len(record["outputs"]), len(ms_record["outputs"]))):
            a, b = ms_arrays.get(f"r{m}_out{i}"), torch_arrays.get(f"r{t}_out{i}")
            if a is None or b is None:
                outs.append(
                    {
                        "agree": False,
                        "max_abs": None,
                        "max_rel": None,
                        "cosine": None,
                        "within": 0.0,
                        "note": "a different number of outputs",
                    }
                )
            else:
                outs.append(metrics(a, b, rtol, atol))
        ins = []
        for i in range(min(len(record["inputs"]), len(ms_record["inputs"]))):
            a, b = ms_arrays.get(f"r{m}_in{i}"), torch_arrays.get(f"r{t}_in{i}")
            if a is not None and b is not None:
                ins.append(metrics(a, b, rtol, atol))
        row.update(combine(outs))
        row["inputs_agree"] = all(p["agree"] for p in ins)
        row["status"] = "ok" if row["agree"] else "diverges"
        rows.append(row)
    first = None
    for row in rows:
        if row["status"] == "diverges" and row["inputs_agree"]:
            first = dict(row)
            break
    if first is None:
        for row in rows:
            if row["status"] == "diverges":
                first = dict(row, between_layers=True)
                break
    return rows, first
