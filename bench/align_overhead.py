"""Alignment overhead: `mindport align` (forward and backward stages) against running the two
models plainly, each in a fresh process of its own (import, build, one forward + backward).

    .venv/bin/python bench/align_overhead.py

Figures only; nothing here asserts a time. `make bench` runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "align"
PLAIN = {
    "torch": """
import importlib.util, sys, time
import numpy as np, torch
torch.set_num_threads(1)
spec = importlib.util.spec_from_file_location("m", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
model = getattr(m, sys.argv[2])(); model.eval()
x = torch.from_numpy(np.load(sys.argv[3]))
t = time.perf_counter()
loss = (model(x).float() ** 2).mean(); loss.backward()
print(time.perf_counter() - t)
""",
    "mindspore": """
import importlib.util, sys, time
import numpy as np, mindspore
mindspore.set_device("CPU"); mindspore.device_context.cpu.op_tuning.threads_num(1)
spec = importlib.util.spec_from_file_location("m", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
net = getattr(m, sys.argv[2])(); net.set_train(False)
x = mindspore.Tensor(np.load(sys.argv[3]))
fn = lambda x: (net(x).astype(mindspore.float32) ** 2).mean()
t = time.perf_counter()
loss, grads = mindspore.value_and_grad(fn, None, net.trainable_params())(x)
loss.asnumpy()
print(time.perf_counter() - t)
""",
}


def plain(framework: str, file: Path, factory: str, inputs: Path) -> tuple[float, float]:
    """(wall seconds of the whole process, seconds of forward + backward inside it)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PLAIN[framework], str(file), factory, str(inputs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=file.parent,
    )
    return time.perf_counter() - started, float(done.stdout.strip().splitlines()[-1])


def align(torch: str, port: str | None, shape: list[int]) -> tuple[float, dict]:
    command = [
        str(Path(sys.executable).with_name("mindport")),
        "align",
        torch,
        "--steps",
        "0",
        "--json",
        "--inputs",
        f"float32[{','.join(map(str, shape))}]",
    ]
    if port:
        command += ["--ms", port]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - started, json.loads(done.stdout)


def measure(
    label: str, torch_file: Path, factory: str, port_file: Path | None, shape: list[int]
) -> None:
    import numpy as np

    wall, result = align(f"{torch_file}::{factory}", str(port_file) if port_file else None, shape)
    if result["status"] not in ("ok", "diverges"):
        print(f"{label}: align failed: {result['error']['message']}")
        return
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "x.npy"
        np.save(inputs, np.random.RandomState(0).standard_normal(shape).astype(np.float32))
        if port_file is None:  # the same in-memory conversion align made
            port_file = Path(folder) / torch_file.name
            port_file.write_text(result["mindspore"]["code"], encoding="utf-8")
        t_wall, t_compute = plain("torch", torch_file, factory, inputs)
        m_wall, m_compute = plain("mindspore", port_file, factory, inputs)
    stages = result["stages"]
    staged = sum(
        stages[s][f"seconds_{side}"] for s in ("forward", "backward") for side in ("torch", "ms")
    )
    print(
        f"{label}: mindport align (forward + backward stages) {wall:.1f} s; plain runs of "
        f"both models in fresh processes {t_wall + m_wall:.1f} s (torch {t_wall:.1f} s, "
        f"MindSpore {m_wall:.1f} s): overhead {wall / (t_wall + m_wall):.2f}x"
    )
    print(
        f"{label}: forward + backward compute, with hooks and records {staged:.2f} s; plain "
        f"{t_compute + m_compute:.2f} s (torch {t_compute:.3f} s, MindSpore "
        f"{m_compute:.3f} s): {staged / (t_compute + m_compute):.2f}x"
    )


def main() -> None:
    measure(
        "tiny model [4,3,8,8]",
        DATA / "tiny_torch.py",
        "make_net",
        DATA / "tiny_ms.py",
        [4, 3, 8, 8],
    )
    measure(
        "ResNet-50 [2,3,64,64], port converted in memory",
        ROOT / "examples" / "resnet50" / "model.py",
        "resnet50",
        None,
        [2, 3, 64, 64],
    )


if __name__ == "__main__":
    main()
