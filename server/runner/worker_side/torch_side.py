"""The torch side of a run: the reference. It makes the inputs and targets, exports the weights,
and records forward activations, gradients and training steps."""

import os
import random
import time

import numpy as np

from . import records, userfile
from .protocol import UserError, progress

FRAMEWORK = "torch"


def _torch():
    import torch

    return torch


def version():
    return _torch().__version__.split("+")[0]


def setup(device):
    torch = _torch()
    torch.set_num_threads(max(1, int(os.environ.get("MINDPORT_THREADS", "1"))))
    if device == "CPU":
        return "cpu"
    if device == "GPU":
        if not torch.cuda.is_available():
            build = getattr(torch.version, "cuda", None) or "none (a CPU-only build)"
            raise UserError(
                f"device GPU: torch.cuda.is_available() is False (torch's CUDA version: {build})"
            )
        return "cuda"
    try:
        import torch_npu  # noqa: F401  (registers the npu device)
    except ImportError as exc:
        raise UserError(f"device Ascend: torch_npu is not importable ({exc})") from exc
    if not torch.npu.is_available():
        raise UserError("device Ascend: torch.npu.is_available() is False")
    return "npu"


def seed_all(seed):
    torch = _torch()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_numpy(tensor):
    tensor = tensor.detach()
    if tensor.dtype == _torch().bfloat16:
        tensor = tensor.float()
    return tensor.cpu().numpy().copy()


def is_tensor(value):
    return isinstance(value, _torch().Tensor)


def type_name(module):
    cls = type(module)
    if cls.__module__.startswith("torch.nn"):
        return "torch.nn." + cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def torch_bases(module):
    """The torch.nn classes a module is or derives from, nearest first (a user's subclass of
    nn.Conv1d keeps Conv1d's parameter layout)."""
    return [
        "torch.nn." + c.__qualname__
        for c in type(module).__mro__
        if c.__module__.startswith("torch.nn")
    ]


def describe_weights(named_modules, state):
    """Per module (path, type, torch.nn bases, parameter and buffer shapes of `state`, names
    tied to an earlier one): what the weight map needs. A tensor shared by two names (a
    language model's head tied to its embedding) is listed by state_dict under both;
    MindSpore lists a shared Parameter once."""
    first_seen = {}
    tied = {}
    for key, value in state.items():
        if not value.numel():
            continue
        identity = (value.data_ptr(), tuple(value.shape), tuple(value.stride()))
        if identity in first_seen:
            tied[key] = first_seen[identity]
        else:
            first_seen[identity] = key
    described = []
    for path, module in named_modules:
        prefix = path + "." if path else ""
        params = {
            n: list(p.shape)
            for n, p in module.named_parameters(recurse=False)
            if prefix + n in state
        }
        buffers = {
            n: list(b.shape) for n, b in module.named_buffers(recurse=False) if prefix + n in state
        }
        described.append(
            {
                "path": path,
                "type": type_name(module),
                "bases": torch_bases(module),
                "params": params,
                "buffers": buffers,
                "tied": {n: tied[prefix + n] for n in params if prefix + n in tied},
            }
        )
    return described


def make_inputs(spec, seed):
    """Arrays from `float32[2,3,32,32]`-style specs (already parsed: dtype and shape)."""
    rng = np.random.RandomState(seed)
    arrays = []
    for item in spec:
        dtype, shape = np.dtype(item["dtype"]), tuple(item["shape"])
        if dtype.kind == "f":
            arrays.append(rng.standard_normal(shape).astype(dtype))
        elif dtype.kind == "b":
            arrays.append(rng.random_sample(shape) < 0.5)
        else:
            arrays.append(rng.randint(0, 10, size=shape).astype(dtype))
    return arrays


def as_arrays(value, what):
    items = list(value) if isinstance(value, (tuple, list)) else [value]
    arrays = []
    for item in items:
        if is_tensor(item):
            arrays.append(to_numpy(item))
        elif isinstance(item, np.ndarray):
            arrays.append(item)
        else:
            raise UserError(f"{what}() must return a tensor or a tuple of tensors")
    return arrays


class Side:
    def __init__(self, workdir, device, seed, user_root):
        self.workdir = workdir
        self.device_name = device
        self.device = setup(device)
        self.seed = seed
        self.user_root = user_root
        self.module = None
        self.model = None
        self.inputs = []
        self.targets = None

    def path(self, name):
        return os.path.join(self.workdir, name)

    # -- build -----------------------------------------------------------------------------

    def build(self, request):
        torch = _torch()
        seed_all(self.seed)
        started = time.perf_counter()
        self.module = userfile.load_module(request["file"])
        self.model = userfile.call_factory(self.module, request["factory"], request["file"])
        if not isinstance(self.model, torch.nn.Module):
            got = type(self.model).__name__
            raise UserError(f"{request['factory']}() returned a {got}, not a torch.nn.Module")
        self.model.to(self.device)
        self.model.eval()
        helpers = userfile.helpers(self.module)
        if request.get("inputs"):
            inputs = make_inputs(request["inputs"], self.seed)
        elif helpers["example_inputs"]:
            inputs = as_arrays(self.module.example_inputs(), "example_inputs")
        elif request.get("inputs_optional"):
            inputs = []
        else:
            raise UserError(
                f"no inputs: define example_inputs() in {request['file']} or pass --inputs"
            )
        records.save_arrays(self.path("inputs.npz"), {f"a{i}": a for i, a in enumerate(inputs)})
        self.inputs = [torch.from_numpy(a).to(self.device) for a in inputs]
        if helpers["example_targets"]:
            targets = as_arrays(self.module.example_targets(), "example_targets")
            records.save_arrays(
                self.path("targets.npz"), {f"a{i}": a for i, a in enumerate(targets)}
            )
            self.targets = [torch.from_numpy(a).to(self.device) for a in targets]
        state = self.model.state_dict()
        records.save_arrays(
            self.path("weights_torch.npz"), {k: to_numpy(v) for k, v in state.items()}
        )
        return {
            "seconds": time.perf_counter() - started,
            "helpers": helpers,
            "inputs": [{"dtype": str(a.dtype), "shape": list(a.shape)} for a in inputs],
            "modules": self.describe(state),
        }

    def describe(self, state):
        named = list(self.model.named_modules())
        factory = getattr(self.module, "__name__", "")
        root_site = userfile.definition_line(type(self.model))
        if root_site[0] is None:
            root_site = (getattr(self.module, "__file__", factory), 1)
        sites = userfile.Definitions(self.user_root).lines(named, root_site)
        described = describe_weights(named, state)
        for index, (path, module) in enumerate(named):  # one entry per module, in order
            entry = described[index]
            entry["file"], entry["line"], entry["col"] = sites[path]
            entry["leaf"] = not any(True for _ in module.children())
        return described

    # -- forward, backward, training -------------------------------------------------------

    def forward(self, request):
        recorder = records.Recorder(to_numpy, is_tensor)
        handles = recorder.hook(self.model.named_modules(), type_name)
        self.model.eval()
        started = time.perf_counter()
        try:
            with _torch().no_grad():
                self.model(*self.inputs)
        finally:
            for handle in handles:
                handle.remove()
        seconds = time.perf_counter() - started
        recorder.save(self.path("forward_torch"))
        return {"seconds": seconds, "layers": len(recorder.records)}

    def loss(self, output):
        torch = _torch()
        if self.targets is not None and userfile.helpers(self.module)["loss_fn"]:
            return self.module.loss_fn(output, *self.targets)
        tensors = records.flatten(output, is_tensor)
        if not tensors:
            raise UserError("the model's output holds no tensor to take a loss of")
        return sum(torch.mean(t.float() ** 2) for t in tensors)

    def backward(self, request):
        self.model.eval()
        self.model.zero_grad(set_to_none=True)
        started = time.perf_counter()
        loss = self.loss(self.model(*self.inputs))
        loss.backward()
        seconds = time.perf_counter() - started
        grads = {
            n: to_numpy(p.grad) for n, p in self.model.named_parameters() if p.grad is not None
        }
        records.save_arrays(self.path("grads_torch.npz"), grads)
        self.model.zero_grad(set_to_none=True)
        return {"seconds": seconds, "loss": float(loss.detach().cpu())}

    def _dropout_off(self):
        torch = _torch()
        kinds = (
            torch.nn.Dropout,
            torch.nn.Dropout1d,
            torch.nn.Dropout2d,
            torch.nn.Dropout3d,
            torch.nn.AlphaDropout,
            torch.nn.FeatureAlphaDropout,
        )
        for module in self.model.modules():
            if isinstance(module, kinds):
                module.eval()

    def train(self, request):
        torch = _torch()
        steps = int(request["steps"])
        helpers = userfile.helpers(self.module)
        seed_all(self.seed)
        params = list(self.model.parameters())
        if helpers["make_optimizer"]:
            optimizer = self.module.make_optimizer(params)
        else:
            optimizer = torch.optim.SGD(params, lr=0.01)
        scheduler = self.module.make_scheduler(optimizer) if helpers["make_scheduler"] else None
        self.model.train()
        self._dropout_off()
        losses, lrs = [], []
        started = time.perf_counter()
        for step in range(steps):
            progress(f"training step {step + 1}/{steps}")
            lrs.append(float(optimizer.param_groups[0]["lr"]))
            optimizer.zero_grad(set_to_none=True)
            loss = self.loss(self.model(*self.inputs))
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            losses.append(float(loss.detach().cpu()))
        seconds = time.perf_counter() - started
        state = self.model.state_dict()
        records.save_arrays(
            self.path("trained_torch.npz"), {k: to_numpy(v) for k, v in state.items()}
        )
        self.model.eval()
        return {
            "seconds": seconds,
            "losses": losses,
            "lrs": lrs,
            "optimizer": type(optimizer).__name__,
            "scheduler": type(scheduler).__name__ if scheduler is not None else None,
        }

    # -- weights convert ---------------------------------------------------------------------

    def read_checkpoint(self, request):
        """Load a torch checkpoint (a state dict, or a dict holding one) and export it as the
        weights of this run; with a model built, its names are checked against the model's."""
        torch = _torch()
        path = request["path"]
        try:
            loaded = torch.load(path, map_location="cpu", weights_only=True)
        except FileNotFoundError as exc:
            raise UserError(f"no such file: {path}") from exc
        except Exception as exc:
            raise UserError(f"{path} is not a torch checkpoint torch.load can read: {exc}") from exc
        state = loaded
        if isinstance(loaded, dict):
            for key in ("state_dict", "model", "model_state_dict"):
                if isinstance(loaded.get(key), dict):
                    state = loaded[key]
                    break
        if not isinstance(state, dict) or not all(is_tensor(v) for v in state.values()):
            raise UserError(f"{path} holds no state dict (a dict of tensors)")
        prefix = "module."  # saved from DataParallel / DDP
        if state and all(k.startswith(prefix) for k in state):
            state = {k[len(prefix) :]: v for k, v in state.items()}
        arrays = {k: to_numpy(v) for k, v in state.items()}
        records.save_arrays(self.path("weights_torch.npz"), arrays)
        answer = {
            "tensors": {
                k: {"shape": list(a.shape), "dtype": str(a.dtype)} for k, a in arrays.items()
            }
        }
        if self.model is not None:
            expected = set(self.model.state_dict())
            answer["missing"] = sorted(expected - set(arrays))
            answer["unexpected"] = sorted(set(arrays) - expected)
            for key in sorted(expected & set(arrays)):
                want = list(self.model.state_dict()[key].shape)
                if list(arrays[key].shape) != want:
                    answer.setdefault("wrong_shape", []).append(key)
        return answer

    # -- dataset -----------------------------------------------------------------------------

    def dataset(self, request):
        """The first batches of the file's make_dataset(), shuffle off, with fixed seeds; each
        batch's fields saved as arrays (b{batch}_f{field})."""
        torch = _torch()
        module = self.module or userfile.load_module(request["file"])
        self.module = module
        if not userfile.helpers(module)["make_dataset"]:
            raise UserError(f"{request['file']} defines no make_dataset()")
        seed_all(self.seed)
        made = module.make_dataset()
        loader_cls = torch.utils.data.DataLoader
        if isinstance(made, loader_cls):
            loader = loader_cls(
                made.dataset,
                batch_size=made.batch_size,
                shuffle=False,
                collate_fn=made.collate_fn,
                drop_last=made.drop_last,
                num_workers=0,
            )
        elif isinstance(made, torch.utils.data.Dataset):
            loader = loader_cls(made, batch_size=None, shuffle=False, num_workers=0)
        else:
            raise UserError("make_dataset() must return a torch Dataset or DataLoader")
        torch.manual_seed(self.seed)  # augmentation drawn from torch's generator
        arrays, shapes = {}, []
        for index, batch in enumerate(loader):
            if index >= int(request["batches"]):
                break
            fields = records.flatten(batch, is_tensor) if not is_tensor(batch) else [batch]
            shapes.append([list(f.shape) for f in fields])
            for number, field in enumerate(fields):
                arrays[f"b{index}_f{number}"] = to_numpy(field)
        records.save_arrays(self.path("dataset_torch.npz"), arrays)
        return {"batches": len(shapes), "shapes": shapes, "batched": isinstance(made, loader_cls)}
