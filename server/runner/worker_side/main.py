"""The worker loop: import one framework, say ready, answer requests until stdin closes.

    <python> server/runner/worker_boot.py --side torch|mindspore --device CPU --workdir DIR
        [--seed 0] [--root USER_FOLDER]

Requests are JSON lines `{"op": "build", ...}`; each gets one answer line `{"ok": true, ...}` or
`{"ok": false, "error": {...}}`, with `{"progress": "..."}` lines before it. Only these lines go
to stdout (protocol.claim_stdout).
"""

import argparse
import os
import platform
import sys
import traceback

from .protocol import claim_stdout, error_info, send

OPS = {
    "torch": ("build", "forward", "backward", "train", "profile", "read_checkpoint", "dataset"),
    "mindspore": (
        "build",
        "load_weights",
        "forward",
        "compare_forward",
        "backward",
        "compare_arrays",
        "train",
        "profile",
        "write_checkpoint",
        "dataset",
    ),
}


def _side_module(side):
    if side == "torch":
        from . import torch_side

        return torch_side
    from . import ms_side

    return ms_side


def _exit_with_parent(workdir, parent_pid=None, interval=0.5):
    """End this worker when the process that started it is gone (killed, crashed): it runs in
    a session of its own, so nothing else would stop a model that is still computing. The
    run's folder, which the parent would have removed, goes too.

    `parent_pid` is the run's own process, passed on the command line: it may have died before
    this line ran (then os.getppid() already names whoever adopted us), and under torchrun or
    msrun the direct parent is the launcher.
    """
    import shutil
    import threading
    import time

    parent = os.getppid()

    def gone():
        if os.getppid() != parent:
            return True
        if parent_pid is None:
            return False
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return _is_zombie(parent_pid)

    def watch():
        while not gone():
            time.sleep(interval)
        shutil.rmtree(workdir, ignore_errors=True)
        os._exit(1)

    threading.Thread(target=watch, name="mindport-parent-watch", daemon=True).start()


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _profile(side_object, request):
    from . import profiling

    return profiling.profile(side_object, request)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="mindport-worker")
    parser.add_argument("--side", required=True, choices=sorted(OPS))
    parser.add_argument("--device", default="CPU", choices=["CPU", "GPU", "Ascend"])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", default=os.getcwd())
    parser.add_argument("--parent", type=int, default=None, help="the run's process id")
    args = parser.parse_args(argv)
    claim_stdout()
    _exit_with_parent(args.workdir, args.parent)
    try:
        module = _side_module(args.side)
        side = module.Side(args.workdir, args.device, args.seed, args.root)
        send(
            {
                "ready": True,
                "side": args.side,
                "version": module.version(),
                "python": platform.python_version(),
                "pid": os.getpid(),
            }
        )
    except BaseException as exc:
        send({"ready": False, "error": error_info(exc, args.root, "import")})
        sys.stderr.flush()
        os._exit(0)
    for line in sys.stdin:
        if not line.strip():
            continue
        import json

        request = json.loads(line)
        op = request.get("op")
        try:
            if op not in OPS[args.side]:
                raise ValueError(f"unknown request {op!r} for the {args.side} side")
            if op == "profile":
                answer = _profile(side, request)
            else:
                answer = getattr(side, op)(request)
            send({"ok": True, "op": op, **answer})
        except BaseException as exc:  # the user's code may raise anything, even SystemExit
            traceback.print_exc(file=sys.stderr)
            send({"ok": False, "op": op, "error": error_info(exc, args.root, op)})
    sys.stderr.flush()
    os._exit(0)  # skip framework teardown: atexit hooks sometimes hang there
