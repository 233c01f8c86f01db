"""The MindSpore side of a run: builds the port, takes torch's weights through the layer map,
records the same stages, and compares them with torch's files."""

import os
import random
import time

import numpy as np

from . import compare, records, userfile
from .protocol import UserError, progress

FRAMEWORK = "mindspore"


def _ms():
    import mindspore

    return mindspore


def version():
    return _ms().__version__


def setup(device):
    mindspore = _ms()
    try:
        if hasattr(mindspore, "set_device"):
            mindspore.set_device(device)
        else:
            mindspore.set_context(device_target=device)
    except Exception as exc:
        raise UserError(f"device {device}: mindspore cannot use it ({exc})") from exc
    threads = max(1, int(os.environ.get("MINDPORT_THREADS", "1")))
    cpu = getattr(getattr(mindspore, "device_context", None), "cpu", None)
    tuning = getattr(cpu, "op_tuning", None)
    if device == "CPU" and hasattr(tuning, "threads_num"):
        # MindSpore starts 25 CPU kernel threads by default, whatever the machine; the same
        # count as torch's keeps the two sides comparable and the machine usable.
        tuning.threads_num(threads)
    if device != "CPU":
        # set_device only records the choice; a kernel shows whether the device is there.
        try:
            from mindspore import Tensor, ops

            ops.add(Tensor(np.ones(2, np.float32)), 1).asnumpy()
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"device {device}: mindspore cannot run on it ({first})") from exc


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    _ms().set_seed(seed)


def to_numpy(tensor):
    mindspore = _ms()
    if tensor.dtype == mindspore.bfloat16:
        tensor = tensor.astype(mindspore.float32)
    return np.array(tensor.asnumpy(), copy=True)


def is_tensor(value):
    return isinstance(value, _ms().Tensor)


def type_name(cell):
    cls = type(cell)
    if cls.__module__.startswith("mindspore.nn") or cls.__module__.startswith("mindspore.mint"):
        top = (
            "mindspore.mint.nn." if cls.__module__.startswith("mindspore.mint") else "mindspore.nn."
        )
        return top + cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _tensors(arrays):
    return [_ms().Tensor(a) for a in arrays]


class Side:
    def __init__(self, workdir, device, seed, user_root):
        setup(device)
        self.device_name = device
        self.workdir = workdir
        self.seed = seed
        self.user_root = user_root
        self.module = None
        self.net = None
        self.inputs = []
        self.targets = None
        self.names = {}  # id(parameter) -> full name

    def path(self, name):
        return os.path.join(self.workdir, name)

    def build(self, request):
        mindspore = _ms()
        seed_all(self.seed)
        started = time.perf_counter()
        self.module = userfile.load_module(request["file"], request.get("paths", ()))
        self.net = userfile.call_factory(self.module, request["factory"], request["file"])
        if not isinstance(self.net, mindspore.nn.Cell):
            got = type(self.net).__name__
            raise UserError(f"{request['factory']}() returned a {got}, not a mindspore.nn.Cell")
        self.net.set_train(False)
        if os.path.exists(self.path("inputs.npz")):
            inputs = records.load_arrays(self.path("inputs.npz"))
            self.inputs = _tensors(inputs[f"a{i}"] for i in range(len(inputs)))
        if os.path.exists(self.path("targets.npz")):
            targets = records.load_arrays(self.path("targets.npz"))
            self.targets = _tensors(targets[f"a{i}"] for i in range(len(targets)))
        named = list(self.net.parameters_and_names())
        self.names = {id(p): n for n, p in named}
        params = {n: {"shape": list(p.shape), "trainable": bool(p.requires_grad)} for n, p in named}
        return {
            "seconds": time.perf_counter() - started,
            "helpers": userfile.helpers(self.module),
            "params": params,
            "modules": self.describe(),
        }

    def describe(self):
        named = list(self.net.cells_and_names())
        root_site = userfile.definition_line(type(self.net))
        if root_site[0] is None:
            root_site = (getattr(self.module, "__file__", ""), 1)
        port_folder = os.path.dirname(os.path.abspath(self.module.__file__))
        sites = userfile.Definitions(self.user_root, port_folder).lines(named, root_site)
        described = []
        for path, cell in named:
            file, line, col = sites[path]
            described.append(
                {
                    "path": path,
                    "type": type_name(cell),
                    "file": file,
                    "line": line,
                    "col": col,
                    "leaf": not cell.name_cells(),
                }
            )
        return described

    def load_weights(self, request):
        """Copy torch's exported weights in: [{"torch": name, "ms": name}] (shapes checked
        by the parent; a reshape keeps the element order)."""
        mindspore = _ms()
        weights = records.load_arrays(self.path("weights_torch.npz"))
        params = dict(self.net.parameters_and_names())
        for pair in request["pairs"]:
            param = params[pair["ms"]]
            value = weights[pair["torch"]].reshape(tuple(param.shape))
            param.set_data(mindspore.Tensor(value, dtype=param.dtype))
        return {"loaded": len(request["pairs"])}

    def write_checkpoint(self, request):
        """Save torch's exported weights as a MindSpore checkpoint: through the port (its
        parameters loaded first) when one is built, else by the renamed list alone."""
        mindspore = _ms()
        output = request["output"]
        if self.net is not None:
            self.load_weights(request)
            mindspore.save_checkpoint(self.net, output)
            return {"written": len(request["pairs"]), "output": output}
        weights = records.load_arrays(self.path("weights_torch.npz"))
        items = [
            {"name": p["ms"], "data": mindspore.Tensor(weights[p["torch"]])}
            for p in request["pairs"]
        ]
        mindspore.save_checkpoint(items, output)
        return {"written": len(items), "output": output}

    # -- forward ---------------------------------------------------------------------------

    def forward(self, request):
        recorder = records.Recorder(to_numpy, is_tensor)
        handles = recorder.hook(self.net.cells_and_names(), type_name)
        self.net.set_train(False)
        started = time.perf_counter()
        try:
            self.net(*self.inputs)
        finally:
            for handle in handles:
                handle.remove()
        seconds = time.perf_counter() - started
        recorder.save(self.path("forward_ms"))
        return {"seconds": seconds, "layers": len(recorder.records)}

    def compare_forward(self, request):
        torch_records, torch_arrays = records.load(self.path("forward_torch"))
        ms_records, ms_arrays = records.load(self.path("forward_ms"))
        with torch_arrays, ms_arrays:
            rows, first = compare.compare_records(
                torch_records,
                dict(torch_arrays),
                ms_records,
                dict(ms_arrays),
                request["rtol"],
                request["atol"],
            )
        return {"rows": rows, "first": first}

    # -- backward and training -------------------------------------------------------------

    def loss(self, output):
        if self.targets is not None and userfile.helpers(self.module)["loss_fn"]:
            return self.module.loss_fn(output, *self.targets)
        tensors = records.flatten(output, is_tensor)
        if not tensors:
            raise UserError("the port's output holds no tensor to take a loss of")
        mindspore = _ms()
        total = None
        for t in tensors:
            term = mindspore.ops.mean(t.astype(mindspore.float32) ** 2)
            total = term if total is None else total + term
        return total

    def _grad_fn(self, params):
        def forward(*inputs):
            return self.loss(self.net(*inputs))

        return _ms().value_and_grad(forward, None, params)

    def backward(self, request):
        self.net.set_train(False)
        params = self.net.trainable_params()
        started = time.perf_counter()
        loss, grads = self._grad_fn(params)(*self.inputs)
        seconds = time.perf_counter() - started
        arrays = {self.names[id(p)]: to_numpy(g) for p, g in zip(params, grads)}  # noqa: B905
        records.save_arrays(self.path("grads_ms.npz"), arrays)
        return {"seconds": seconds, "loss": float(to_numpy(loss))}

    def compare_arrays(self, request):
        """Compare two saved array files through the weight pairs: one row per torch name."""
        torch_arrays = records.load_arrays(self.path(request["torch_file"]))
        ms_arrays = records.load_arrays(self.path(request["ms_file"]))
        rows = []
        for pair in request["pairs"]:
            a, b = ms_arrays.get(pair["ms"]), torch_arrays.get(pair["torch"])
            if a is None or b is None:
                side = "MindSpore" if a is None else "torch"
                rows.append(
                    {
                        "torch": pair["torch"],
                        "ms": pair["ms"],
                        "agree": False,
                        "note": f"no value on the {side} side",
                    }
                )
                continue
            row = compare.metrics(
                a, b.reshape(a.shape) if a.size == b.size else b, request["rtol"], request["atol"]
            )
            row.update(torch=pair["torch"], ms=pair["ms"])
            rows.append(row)
        return {"rows": rows}

    def _dropout_off(self):
        mindspore = _ms()
        names = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d")
        kinds = [getattr(mindspore.nn, n) for n in names if hasattr(mindspore.nn, n)]
        mint_nn = getattr(getattr(mindspore, "mint", None), "nn", None)
        if mint_nn is not None and hasattr(mint_nn, "Dropout"):
            kinds.append(mint_nn.Dropout)
        for _, cell in self.net.cells_and_names():
            if isinstance(cell, tuple(kinds)):
                cell.set_train(False)

    def _lr(self, optimizer):
        groups = getattr(optimizer, "param_groups", None)
        if groups:
            return float(
                np.asarray(
                    to_numpy(groups[0]["lr"]) if is_tensor(groups[0]["lr"]) else groups[0]["lr"]
                )
            )
        get_lr = getattr(optimizer, "get_lr", None)
        if get_lr is not None:
            value = get_lr()
            return float(to_numpy(value).reshape(-1)[0]) if is_tensor(value) else float(value)
        return None

    def train(self, request):
        mindspore = _ms()
        steps = int(request["steps"])
        helpers = userfile.helpers(self.module)
        seed_all(self.seed)
        params = self.net.trainable_params()
        if helpers["make_optimizer"]:
            optimizer = self.module.make_optimizer(params)
        else:
            optimizer = mindspore.nn.SGD(params, learning_rate=0.01)
        scheduler = self.module.make_scheduler(optimizer) if helpers["make_scheduler"] else None
        self.net.set_train(True)
        self._dropout_off()
        grad_fn = self._grad_fn(params)
        losses, lrs = [], []
        started = time.perf_counter()
        for step in range(steps):
            progress(f"training step {step + 1}/{steps}")
            lrs.append(self._lr(optimizer))
            loss, grads = grad_fn(*self.inputs)
            optimizer(grads)
            if scheduler is not None:
                scheduler.step()
            losses.append(float(to_numpy(loss)))
        seconds = time.perf_counter() - started
        arrays = {n: to_numpy(p) for n, p in self.net.parameters_and_names()}
        records.save_arrays(self.path("trained_ms.npz"), arrays)
        self.net.set_train(False)
        return {
            "seconds": seconds,
            "losses": losses,
            "lrs": lrs,
            "optimizer": type(optimizer).__name__,
            "scheduler": type(scheduler).__name__ if scheduler is not None else None,
        }

    # -- dataset -----------------------------------------------------------------------------

    def dataset(self, request):
        """The port's make_dataset() (a mindspore.dataset pipeline, or anything iterable),
        its first batches compared field by field with torch's, sample by sample."""
        mindspore = _ms()
        module = self.module or userfile.load_module(request["file"], request.get("paths", ()))
        self.module = module
        if not userfile.helpers(module)["make_dataset"]:
            raise UserError(f"{request['file']} defines no make_dataset()")
        seed_all(self.seed)
        mindspore.dataset.config.set_seed(self.seed)
        made = module.make_dataset()
        if hasattr(made, "create_tuple_iterator"):
            items = made.create_tuple_iterator(num_epochs=1, output_numpy=True)
        else:
            items = iter(made)
        torch_arrays = records.load_arrays(self.path("dataset_torch.npz"))
        rows, first = [], None
        for index in range(int(request["batches"])):
            expected = sorted(
                (k for k in torch_arrays if k.startswith(f"b{index}_")),
                key=lambda k: int(k.split("_f")[1]),
            )
            if not expected:
                break
            try:
                batch = next(items)
            except StopIteration:
                rows.append({"batch": index, "agree": False, "note": "the port has no batch"})
                first = first or rows[-1]
                break
            fields = [
                np.asarray(to_numpy(f) if is_tensor(f) else f)
                for f in (batch if isinstance(batch, (list, tuple)) else [batch])
            ]
            for number, key in enumerate(expected):
                b = torch_arrays[key]
                if number >= len(fields):
                    row = {
                        "batch": index,
                        "field": number,
                        "agree": False,
                        "note": "the port's batch has fewer fields",
                    }
                else:
                    row = compare.metrics(fields[number], b, request["rtol"], request["atol"])
                    row.update(batch=index, field=number)
                    if not row["agree"]:
                        row["sample"] = _first_sample(
                            fields[number], b, request, request["batched"]
                        )
                rows.append(row)
                if not row["agree"] and first is None:
                    first = row
        return {"rows": rows, "first": first}


def _first_sample(ms, torch, request, batched):
    """The first sample (index along the batch axis) whose values differ; None if unbatched."""
    if not batched or ms.shape != torch.shape or ms.ndim == 0:
        return None
    for index in range(ms.shape[0]):
        if compare.metrics(ms[index], torch[index], request["rtol"], request["atol"])["agree"]:
            continue
        return index
    return None
