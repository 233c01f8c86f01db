"""Per-layer records of a forward pass: what each layer got and gave, as NumPy arrays, in the
order the layers finished; saved as one .npz and one .json beside it."""

import json

import numpy as np


def flatten(value, is_tensor, out=None):
    """The tensors in a layer's inputs or output, in order (tuples, lists, dicts walked)."""
    if out is None:
        out = []
    if is_tensor(value):
        out.append(value)
    elif isinstance(value, (tuple, list)):
        for item in value:
            flatten(item, is_tensor, out)
    elif isinstance(value, dict):
        for key in value:
            flatten(value[key], is_tensor, out)
    return out


class Recorder:
    def __init__(self, to_numpy, is_tensor, keep_inputs=True):
        self.to_numpy = to_numpy
        self.is_tensor = is_tensor
        self.keep_inputs = keep_inputs
        self.records = []
        self.arrays = {}
        self._calls = {}
        self._open = {}

    def hook(self, named_layers, type_name):
        """Record every layer's inputs and output (torch modules and MindSpore cells have the
        same hook API); returns the handles to remove afterwards."""
        handles = []
        for path, layer in named_layers:
            kind = type_name(layer)

            def before(_layer, args, path=path):
                self.before(path, args)

            def after(_layer, _args, output, path=path, kind=kind):
                self.after(path, kind, output)

            handles.append(layer.register_forward_pre_hook(before))
            handles.append(layer.register_forward_hook(after))
        return handles

    def _arrays(self, value):
        return [self.to_numpy(t) for t in flatten(value, self.is_tensor)]

    def before(self, path, inputs):
        arrays = self._arrays(inputs) if self.keep_inputs else []
        self._open.setdefault(path, []).append(arrays)

    def after(self, path, type_name, output):
        stack = self._open.get(path)
        inputs = stack.pop() if stack else []
        call = self._calls.get(path, 0)
        self._calls[path] = call + 1
        index = len(self.records)
        outputs = self._arrays(output)
        for i, array in enumerate(inputs):
            self.arrays[f"r{index}_in{i}"] = array
        for i, array in enumerate(outputs):
            self.arrays[f"r{index}_out{i}"] = array
        self.records.append(
            {
                "index": index,
                "path": path,
                "call": call,
                "type": type_name,
                "inputs": [list(a.shape) for a in inputs],
                "outputs": [list(a.shape) for a in outputs],
            }
        )

    def save(self, stem):
        np.savez(stem + ".npz", **self.arrays)
        with open(stem + ".json", "w", encoding="utf-8") as handle:
            json.dump(self.records, handle)


def load(stem):
    with open(stem + ".json", encoding="utf-8") as handle:
        records = json.load(handle)
    return records, np.load(stem + ".npz")


def save_arrays(path, arrays):
    np.savez(path, **arrays)


def load_arrays(path):
    with np.load(path) as data:
        return {key: data[key] for key in data.files}
