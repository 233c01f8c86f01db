"""Time a model in one framework: the whole step (forward + backward of the loss), and every leaf
layer on its own with the inputs it got in the model's forward (median of N runs after one
warm-up). Timing each layer alone needs no backward hooks (torch's full backward hooks do not
allow in-place layers such as ReLU(inplace=True)) and is the same procedure in both frameworks.
"""

import resource
import statistics
import time

from . import records

LAYER_INNER = 5  # calls per measurement of one layer


def _median_ms(run, repeat, sync, inner=1):
    """Median milliseconds per call of `run`. `run` returns what it computed; `sync(value)`
    waits until that is really done. With `inner` > 1 each measurement runs `inner` calls
    back to back and waits once: a layer's cost in a model, where the framework queues the
    next kernel while one runs, rather than one launch-and-wait round trip."""
    sync(run())  # warm-up: first-call costs (kernel selection, caches) are not the layer's
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = None
        for _ in range(inner):
            value = run()
        sync(value)
        times.append((time.perf_counter() - started) * 1000.0 / inner)
    return statistics.median(times)


def _peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def profile(side, request):
    repeat = int(request.get("repeat", 5))
    if side.__class__.__module__.endswith("torch_side"):
        return _profile_torch(side, repeat)
    return _profile_ms(side, repeat)


# -- torch ---------------------------------------------------------------------------------


def _profile_torch(side, repeat):
    import torch

    model = side.model
    cuda = side.device == "cuda"

    def sync(_value):
        if cuda:
            torch.cuda.synchronize()

    captured = {}
    calls = {}
    handles = []
    for path, module in model.named_modules():
        if any(True for _ in module.children()):
            continue

        def before(_m, args, path=path):
            calls[path] = calls.get(path, 0) + 1
            if path not in captured:
                captured[path] = [a.detach().clone() if torch.is_tensor(a) else a for a in args]

        handles.append(module.register_forward_pre_hook(before))
    model.train()
    side._dropout_off()
    try:
        with torch.no_grad():
            model(*side.inputs)
    finally:
        for handle in handles:
            handle.remove()

    def step():
        model.zero_grad(set_to_none=True)
        side.loss(model(*side.inputs)).backward()

    def forward():
        with torch.no_grad():
            return model(*side.inputs)

    step_ms = _median_ms(step, repeat, sync)
    forward_ms = _median_ms(forward, repeat, sync)
    layers = []
    modules = dict(model.named_modules())
    for path, args in captured.items():
        module = modules[path]
        row = {"path": path, "type": side_type(module), "calls": calls[path]}

        def fwd(module=module, args=args):
            with torch.no_grad():
                return module(*[a.clone() if torch.is_tensor(a) else a for a in args])

        row["forward_ms"] = _median_ms(fwd, repeat, sync, LAYER_INNER)
        params = [p for p in module.parameters() if p.requires_grad]
        floats = any(torch.is_tensor(a) and a.is_floating_point() for a in args)
        if params or floats:

            def bwd(module=module, args=args):
                inputs = [
                    a.clone().requires_grad_(a.is_floating_point()) if torch.is_tensor(a) else a
                    for a in args
                ]
                out = records.flatten(module(*inputs), torch.is_tensor)
                total = sum(t.float().sum() for t in out if t.is_floating_point())
                if torch.is_tensor(total) and total.requires_grad:
                    total.backward()

            both = _median_ms(bwd, repeat, sync, LAYER_INNER)
            row["backward_ms"] = max(0.0, both - row["forward_ms"])
        else:
            row["backward_ms"] = None
        layers.append(row)
    model.zero_grad(set_to_none=True)
    model.eval()
    peak = torch.cuda.max_memory_allocated() / 2**20 if cuda else _peak_mib()
    return {
        "step_ms": step_ms,
        "forward_ms": forward_ms,
        "layers": layers,
        "peak_mib": peak,
        "peak_kind": "device memory allocated" if cuda else "peak RSS of the worker",
    }


def side_type(module):
    cls = type(module)
    return f"{cls.__module__}.{cls.__qualname__}"


# -- MindSpore -----------------------------------------------------------------------------


def _profile_ms(side, repeat):
    import mindspore

    net = side.net
    captured = {}
    calls = {}
    handles = []
    for path, cell in net.cells_and_names():
        if cell.name_cells():
            continue

        def before(_c, args, path=path):
            calls[path] = calls.get(path, 0) + 1
            if path not in captured:
                captured[path] = list(args)

        handles.append(cell.register_forward_pre_hook(before))
    net.set_train(True)
    side._dropout_off()
    try:
        net(*side.inputs)
    finally:
        for handle in handles:
            handle.remove()

    # PyNative launches kernels asynchronously: wait for them before reading the clock. On a
    # device, runtime.synchronize(); on CPU (where it is not supported) reading the result
    # back, which waits for the kernels that made it (the copy is timed too).
    def sync(value):
        if side.device_name != "CPU":
            mindspore.runtime.synchronize()
            return
        for tensor in records.flatten(value, side_is_tensor):
            tensor.asnumpy()

    params = net.trainable_params()
    grad_fn = side._grad_fn(params)

    def step():
        return grad_fn(*side.inputs)

    def forward():
        return net(*side.inputs)

    step_ms = _median_ms(step, repeat, sync)
    forward_ms = _median_ms(forward, repeat, sync)
    layers = []
    cells = dict(net.cells_and_names())
    for path, args in captured.items():
        cell = cells[path]
        row = {"path": path, "type": side_type(cell), "calls": calls[path]}

        def fwd(cell=cell, args=args):
            return cell(*args)

        row["forward_ms"] = _median_ms(fwd, repeat, sync, LAYER_INNER)
        weights = cell.trainable_params()
        positions = tuple(
            i
            for i, a in enumerate(args)
            if isinstance(a, mindspore.Tensor) and a.dtype in mindspore.dtype.float_type
        )
        if weights or positions:

            def scalar(*inputs, cell=cell):
                out = records.flatten(cell(*inputs), side_is_tensor)
                total = None
                for t in out:
                    if t.dtype in mindspore.dtype.float_type:
                        term = t.astype(mindspore.float32).sum()
                        total = term if total is None else total + term
                return total

            grad = mindspore.value_and_grad(
                scalar, grad_position=positions or None, weights=weights or None
            )

            def bwd(grad=grad, args=args):
                return grad(*args)

            both = _median_ms(bwd, repeat, sync, LAYER_INNER)
            row["backward_ms"] = max(0.0, both - row["forward_ms"])
        else:
            row["backward_ms"] = None
        layers.append(row)
    net.set_train(False)
    return {
        "step_ms": step_ms,
        "forward_ms": forward_ms,
        "layers": layers,
        "peak_mib": _peak_mib(),
        "peak_kind": "peak RSS of the worker",
    }


def side_is_tensor(value):
    import mindspore

    return isinstance(value, mindspore.Tensor)
