"""Tensor method names, read from data/tensor_methods.json (written by
`python -m mapping_db.importers.tensor_only_methods` from the installed torch and numpy).

TENSOR_ONLY_METHODS: names no list, dict, str, numpy array, Module or optimizer has, so a call
of one tells that its receiver is a tensor. TENSOR_METHODS: every public Tensor method.
TENSOR_ATTRIBUTES: the Tensor attributes (data descriptors) the database answers, from
data/tensor_attributes.json (`python -m mapping_db.importers.tensor_attributes`).
"""

from __future__ import annotations

import json
from pathlib import Path

TENSOR_METHODS_FILE = Path(__file__).resolve().parent / "data" / "tensor_methods.json"
TENSOR_ATTRIBUTES_FILE = Path(__file__).resolve().parent / "data" / "tensor_attributes.json"

_data = json.loads(TENSOR_METHODS_FILE.read_text(encoding="utf-8"))
TENSOR_ONLY_METHODS: frozenset[str] = frozenset(_data["tensor_only"])
TENSOR_METHODS: frozenset[str] = frozenset(_data["all"])
del _data

TENSOR_ATTRIBUTES: frozenset[str] = (
    frozenset(json.loads(TENSOR_ATTRIBUTES_FILE.read_text(encoding="utf-8"))["attributes"])
    if TENSOR_ATTRIBUTES_FILE.is_file()
    else frozenset()
)
