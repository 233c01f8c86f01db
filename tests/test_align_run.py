"""`mindport align` end to end: real torch and real MindSpore in worker processes, on the small
models of tests/data/align/ (hand-written ports, one with each injected fault)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from server.runner.align.run import run_alignment
from server.runner.align.sides import RunHandle
from server.runner.align.spec import RunSpec, parse_model_ref
from tests.process_helpers import alive

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "align"
TORCH = f"{DATA / 'tiny_torch.py'}::make_net"
# The installed command: run from a folder with its own `server/` package, `python -m
# server.cli` would import that package (Python puts the current folder first); `mindport` not.
MINDPORT = Path(sys.executable).with_name("mindport")


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MINDPORT), "align", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def assert_cleaned_up(result: dict) -> None:
    assert result["workers"], "the run started no worker"
    assert not any(alive(pid) for pid in result["workers"].values())
    assert not Path(result["workdir"]).exists()


def spec(port: str, **kwargs: object) -> RunSpec:
    torch = parse_model_ref(TORCH)
    return RunSpec(torch, parse_model_ref(str(DATA / port), "make_net"), **kwargs)


def test_a_faithful_port_agrees_in_every_stage() -> None:
    done = cli(TORCH, "--ms", str(DATA / "tiny_ms.py"), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "ok"
    stages = result["stages"]
    assert [s for s in stages] == ["building", "weights", "forward", "backward", "training"]
    assert all(s["status"] == "ok" for s in stages.values())
    pairs = {p["torch"]: p["ms"] for p in stages["weights"]["pairs"]}
    assert pairs["bn.weight"] == "bn.gamma"
    assert pairs["bn.running_var"] == "bn.moving_variance"
    assert pairs["head.weight"] == "head.weight"
    assert [d["torch"] for d in stages["weights"]["dropped"]] == ["bn.num_batches_tracked"]
    forward = stages["forward"]
    assert forward["layers"] == 11 and forward["diverging"] == 0
    assert forward["output"]["cosine"] > 0.999999
    # the file's own loss (cross entropy), optimizer (momentum) and StepLR schedule
    training = stages["training"]
    assert (training["optimizer_torch"], training["scheduler_ms"]) == ("SGD", "StepLR")
    assert [round(r["lr_torch"], 6) for r in training["losses"]] == [
        0.05,
        0.05,
        0.025,
        0.025,
        0.0125,
    ]
    assert all(r["agree"] for r in training["losses"])
    assert_cleaned_up(result)


def test_swapped_activation_is_found_at_its_module_path_and_line() -> None:
    port = DATA / "tiny_ms_act.py"
    done = cli(TORCH, "--ms", str(port), "--steps", "1")
    assert done.returncode == 1, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    line = line_of(port, "self.act = act()")
    assert last.startswith(f"{port}:{line}:9: first divergent layer blocks.1.act (ReLU -> Sigmoid)")


def test_changed_padding_is_found_at_the_conv_that_has_it() -> None:
    result = run_alignment(spec("tiny_ms_pad.py", steps=0))
    assert result["exit_code"] == 1
    first = result["first_divergence"]
    assert (first["stage"], first["path"]) == ("forward", "blocks.0.conv")
    port = DATA / "tiny_ms_pad.py"
    assert first["port"]["file"] == str(port)
    assert first["port"]["line"] == line_of(port, "self.conv = nn.Conv2d(")
    assert "shape (4, 8, 6, 6) in MindSpore, (4, 8, 8, 8) in torch" in first["note"]
    torch_line = line_of(DATA / "tiny_torch.py", "self.conv = nn.Conv2d(")
    assert first["torch_site"]["line"] == torch_line
    # the layers before it agree; the first one counted as divergent had agreeing inputs
    rows = result["stages"]["forward"]["rows"]
    index = next(i for i, r in enumerate(rows) if r["path"] == "blocks.0.conv")
    assert all(r["agree"] for r in rows[:index])
    assert rows[index]["inputs_agree"] is True
    assert_cleaned_up(result)


def test_a_port_missing_a_parameter_stops_at_the_weights() -> None:
    result = run_alignment(spec("tiny_ms_missing.py"))
    assert result["exit_code"] == 1
    weights = result["stages"]["weights"]
    assert weights["status"] == "diverges"
    assert weights["unmatched_torch"] == ["head.bias"]
    assert "forward" not in result["stages"]  # it does not go on as if they matched
    first = result["first_divergence"]
    assert (first["stage"], first["path"]) == ("weights", "head")
    assert first["note"] == "torch head.bias has no counterpart in the port"


def test_a_model_that_raises_names_the_users_own_line() -> None:
    torch = parse_model_ref(f"{DATA / 'raises_torch.py'}::make_net")
    port = parse_model_ref(f"{DATA / 'raises_ms.py'}::make_net")
    result = run_alignment(RunSpec(torch, port))
    assert result["exit_code"] == 3
    error = result["error"]
    assert error["kind"] == "model" and error["stage"] == "forward" and error["side"] == "torch"
    assert "shape '[3, 7]' is invalid" in error["message"]
    assert error["frame"]["file"] == str(DATA / "raises_torch.py")
    assert error["frame"]["line"] == line_of(DATA / "raises_torch.py", "return y.view(3, 7)")
    assert_cleaned_up(result)


def test_a_model_that_hangs_ends_at_the_timeout_and_leaves_nothing() -> None:
    done = cli(
        f"{DATA / 'hangs_torch.py'}::make_net",
        "--ms",
        f"{DATA / 'raises_ms.py'}",
        "--timeout",
        "3",
        "--json",
    )
    assert done.returncode == 3
    result = json.loads(done.stdout)
    assert result["error"]["kind"] == "timeout"
    assert "forward took longer than 3 s" in result["error"]["message"]
    assert_cleaned_up(result)


def test_cancel_in_the_middle_of_a_run() -> None:
    torch = parse_model_ref(f"{DATA / 'hangs_torch.py'}::make_net")
    port = parse_model_ref(f"{DATA / 'raises_ms.py'}::make_net")
    handle = RunHandle()
    stages: list[str] = []

    def progress(stage: str, message: str) -> None:
        stages.append(stage)
        if stage == "forward":  # the torch forward never returns: cancel it
            threading.Timer(1.0, handle.cancel).start()

    result = run_alignment(RunSpec(torch, port, timeout=120), progress, handle)
    assert result["status"] == "cancelled"
    assert result["error"]["kind"] == "cancelled"
    assert "forward" in stages
    assert_cleaned_up(result)


def test_a_users_own_server_package_neither_shadows_nor_is_shadowed() -> None:
    workspace = DATA / "workspace"
    done = cli("model.py::Model", "--ms", "model_ms.py", "--json", "--steps", "2", cwd=workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["stages"]["forward"]["layers"] == 5
    paths = [r["path"] for r in result["stages"]["forward"]["rows"]]
    assert paths == ["block.fc", "block.act", "block", "out", ""]


def test_bad_arguments_exit_2() -> None:
    assert cli("nowhere.py::f").returncode == 2
    done = cli(TORCH, "--ms", str(DATA / "tiny_ms.py"), "--inputs", "float32(2,3)")
    assert done.returncode == 2 and "DTYPE[D0,D1,...]" in done.stderr
    assert cli(str(DATA / "tiny_torch.py")).returncode == 2  # no ::FACTORY
    missing = cli(f"{DATA / 'tiny_torch.py'}::nothing_here", "--ms", str(DATA / "tiny_ms.py"))
    assert missing.returncode == 2
    assert "has no 'nothing_here'" in missing.stdout


def test_inputs_from_the_command_line() -> None:
    inputs = [{"dtype": "float32", "shape": [4, 3, 5, 5]}]
    result = run_alignment(spec("tiny_ms.py", steps=0, inputs=inputs))
    assert result["exit_code"] == 0, result["error"]
    assert result["inputs"] == [{"dtype": "float32", "shape": [4, 3, 5, 5]}]


def test_resnet50_converted_in_memory_aligns_forward_backward_and_training() -> None:
    """The sample, with no --ms: the port is the whole-file conversion of the torch file."""
    done = cli(
        f"{ROOT / 'examples/resnet50/model.py'}::resnet50",
        "--inputs",
        "float32[2,3,64,64]",
        "--json",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["mindspore"]["converted_in_memory"] is True
    stages = result["stages"]
    assert stages["weights"]["mapped"] == 267 and stages["weights"]["renamed"] == 212
    assert stages["forward"]["layers"] == 167
    assert stages["backward"]["gradients"] == 161
    assert len(stages["training"]["losses"]) == 5


def test_dataset_stage_names_the_first_differing_sample_and_field() -> None:
    torch = f"{DATA / 'data_torch.py'}::make_dataset"
    same = cli(torch, "--ms", str(DATA / "data_ms.py"), "--data", "--json")
    assert same.returncode == 0, same.stdout + same.stderr
    stage = json.loads(same.stdout)["stages"]["dataset"]
    assert stage["batches"] == 2 and len(stage["rows"]) == 4  # 2 batches of (x, y)
    assert list(json.loads(same.stdout)["stages"]) == ["dataset"]  # no model was built
    clipped = cli(torch, "--ms", str(DATA / "data_ms_clip.py"), "--data")
    assert clipped.returncode == 1
    # sample 7 is the first above the clip: batch 1 (samples 4-7), sample 3 in it, field x
    assert (
        clipped.stdout.strip()
        .splitlines()[-1]
        .endswith("first difference in the datasets: batch 1, sample 3, field 0: values differ")
    )


def test_a_device_the_frameworks_cannot_use_is_a_clear_message() -> None:
    """GPU takes the same path as CPU; this CPU-only torch build says so, before any model."""
    done = cli(TORCH, "--ms", str(DATA / "tiny_ms.py"), "--device", "GPU", "--json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["stage"] == "building" and error["side"] == "torch"
    assert "device GPU: torch.cuda.is_available() is False" in error["message"]


def test_running_out_of_memory_is_said_so() -> None:
    torch = parse_model_ref(f"{DATA / 'oom_torch.py'}::make_net")
    port = parse_model_ref(f"{DATA / 'raises_ms.py'}::make_net")
    result = run_alignment(RunSpec(torch, port, steps=0))
    assert result["exit_code"] == 3
    error = result["error"]
    assert error["kind"] == "memory"
    assert error["message"].startswith("torch side, forward: out of memory")
    assert error["frame"]["line"] == line_of(DATA / "oom_torch.py", "torch.empty(2**62")
    assert_cleaned_up(result)


def children_of(pid: int) -> dict[int, list[str]]:
    """Worker processes started by `pid`: their pid and command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().decode().split("\0")
        except (OSError, UnicodeDecodeError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and any(
            part.endswith("worker_boot.py") for part in command
        ):
            found[int(entry.name)] = command
    return found


def test_workers_and_their_folder_go_when_the_command_is_killed() -> None:
    """Even a SIGKILL of `mindport align` (no cleanup can run there) leaves nothing behind."""
    process = subprocess.Popen(
        [
            str(MINDPORT),
            "align",
            f"{DATA / 'hangs_torch.py'}::make_net",
            "--ms",
            str(DATA / "raises_ms.py"),
            "--timeout",
            "120",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        workers: dict[int, list[str]] = {}
        for _ in range(600):
            workers = children_of(process.pid)
            if len(workers) == 2:
                break
            time.sleep(0.1)
        assert len(workers) == 2
        command = next(iter(workers.values()))
        workdir = Path(command[command.index("--workdir") + 1])
        assert workdir.is_dir()
    finally:
        process.kill()
        process.wait()
    for _ in range(100):
        if not any(alive(pid) for pid in workers) and not workdir.exists():
            break
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
    assert not workdir.exists()


def test_an_interpreter_without_the_frameworks_points_at_the_doctor(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = bare / "bin" / "python"
    done = cli(TORCH, "--ms", str(DATA / "tiny_ms.py"), "--python", str(python), "--json")
    assert done.returncode == 3
    error = json.loads(done.stdout)["error"]
    assert error["kind"] == "environment"
    assert f"`mindport doctor --python {python}` says what to install" in error["message"]
