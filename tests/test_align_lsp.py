"""Alignment and profiling in the editor, over stdio with a real LSP client (pytest-lsp): code
lenses, the commands, work-done progress, cancellation, diagnostics, the report."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp_helpers import SERVER, open_document
from tests.process_helpers import alive

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "tests" / "data" / "align"
# A folder of this test's own, so the workers it looks for (by `--root`) are its own.
WORKSPACE = Path(tempfile.mkdtemp(prefix="mindport-lsp-align-"))
DATA = WORKSPACE / "models"
shutil.copytree(SOURCES, DATA, ignore=shutil.ignore_patterns("workspace", "__pycache__"))
TORCH = DATA / "tiny_torch.py"
TORCH_URI = TORCH.as_uri()


def worker_pids() -> set[int]:
    """This test's alignment workers running now: worker_boot.py with `--root` in DATA."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        mine = any(part.endswith(b"worker_boot.py") for part in command)
        if mine and str(DATA).encode() in command and alive(int(entry.name)):
            found.add(int(entry.name))
    return found


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    """VS Code's capabilities: work-done progress and showDocument."""
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=WORKSPACE.as_uri(),
            initialization_options={"doctorAtStart": False, "jedi": False},
        )
    )
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(WORKSPACE / ".mindport", ignore_errors=True)


def teardown_module() -> None:
    shutil.rmtree(WORKSPACE, ignore_errors=True)


async def execute(client: LanguageClient, command: str, *arguments: object) -> dict:
    result = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=list(arguments))
        ),
        600,
    )
    return result


async def test_code_lenses_above_each_model_factory_and_nothing_runs(client: LanguageClient):
    before = worker_pids()
    await open_document(client, TORCH.read_text(), uri=TORCH_URI)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=TORCH_URI))
    )
    found = [
        (lens.range.start.line, lens.command.title, lens.command.arguments[0]["factory"])
        for lens in lenses
    ]
    source = TORCH.read_text().splitlines()
    net = source.index("class TinyNet(nn.Module):")
    make = source.index("def make_net() -> TinyNet:")
    assert found == [
        (net, "Align with MindSpore", "TinyNet"),
        (net, "Profile", "TinyNet"),
        (make, "Align with MindSpore", "make_net"),
        (make, "Profile", "make_net"),
    ]  # Block needs an argument: no lens
    assert lenses[0].command.command == "mindport.runAlignment"
    assert lenses[1].command.command == "mindport.runProfile"
    assert worker_pids() == before == set()  # opening and lenses run no user code
    assert not (WORKSPACE / ".mindport").exists()


async def test_alignment_from_the_editor(client: LanguageClient):
    await open_document(client, TORCH.read_text(), uri=TORCH_URI)
    port = DATA / "tiny_ms_act.py"
    argument = {"uri": TORCH_URI, "factory": "make_net", "ms": str(port), "steps": 2}
    running = asyncio.ensure_future(execute(client, "mindport.runAlignment", argument))
    await asyncio.sleep(0.5)
    second = await execute(client, "mindport.runAlignment", argument)
    assert second["status"] == "busy"  # one run per document
    result = await running
    assert result["exit_code"] == 1
    first = result["first_divergence"]
    assert first["path"] == "blocks.1.act" and first["port"]["line"] == 11
    # progress: begin, the stages, end
    ((token, reports),) = [(t, r) for t, r in client.progress_reports.items()]
    kinds = [r.kind for r in reports]
    assert kinds[0] == "begin" and kinds[-1] == "end"
    assert reports[0].cancellable is True
    messages = " | ".join(r.message or "" for r in reports[1:-1])
    for stage in ("building", "weights", "forward", "backward", "training"):
        assert f"{stage}:" in messages
    # diagnostics at the lines that define the layer, in the port and in the torch file
    port_diagnostics = client.diagnostics[port.as_uri()]
    assert [d.range.start.line for d in port_diagnostics] == [10]
    assert "first divergent layer blocks.1.act (ReLU -> Sigmoid)" in port_diagnostics[0].message
    await asyncio.sleep(0.2)
    torch_lines = [
        d.range.start.line for d in client.diagnostics[TORCH_URI] if d.source == "mindport-align"
    ]
    assert torch_lines == [11]  # `self.act = nn.ReLU()` in Block
    # the summary and the report, opened with showDocument
    assert any("first divergent layer blocks.1.act" in m.message for m in client.messages)
    report = Path(result["report"])
    assert report.parent.parent == WORKSPACE / ".mindport" / "reports"
    assert (report.parent / "result.json").is_file()
    assert client.shown_documents[-1].uri == report.as_uri()
    assert client.shown_documents[-1].external is True
    opened = await execute(client, "mindport.openReport", {"uri": TORCH_URI})
    assert opened["report"] == str(report)
    assert not worker_pids()


async def test_profile_from_the_editor(client: LanguageClient):
    argument = {
        "uri": TORCH_URI,
        "factory": "make_net",
        "ms": str(DATA / "tiny_ms.py"),
        "repeat": 1,
    }
    result = await execute(client, "mindport.runProfile", argument)
    assert result["exit_code"] == 0, result
    report = Path(result["report"])
    assert 'id="profile"' in report.read_text()
    assert any(m.message.startswith("mindport profile: MindSpore takes") for m in client.messages)


async def cancel_in_forward(client: LanguageClient, how: str) -> dict:
    hangs = DATA / "hangs_torch.py"
    argument = {"uri": hangs.as_uri(), "factory": "make_net", "ms": str(DATA / "raises_ms.py")}
    msg_id = 9000 + len(how)
    earlier = worker_pids()  # an earlier test's workers may still be on their way out
    request = asyncio.wrap_future(
        client.protocol.send_request(
            types.WORKSPACE_EXECUTE_COMMAND,
            types.ExecuteCommandParams(command="mindport.runAlignment", arguments=[argument]),
            msg_id=msg_id,
        )
    )
    token = None
    for _ in range(600):  # until the run is in its forward stage (which never ends)
        await asyncio.sleep(0.1)
        for key, reports in client.progress_reports.items():
            if any("forward:" in (getattr(r, "message", "") or "") for r in reports):
                token = key
        if token is not None:
            break
    assert token is not None, client.progress_reports
    workers = worker_pids() - earlier
    assert len(workers) == 2
    if how == "progress":
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        result = await asyncio.wait_for(request, 60)
    else:
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
        for _ in range(300):
            await asyncio.sleep(0.1)
            if not any(alive(pid) for pid in workers):
                break
        result = {"status": "cancelled"}
    assert not any(alive(pid) for pid in workers)
    return result


async def test_cancel_with_the_progress_token(client: LanguageClient):
    result = await cancel_in_forward(client, "progress")
    assert result["status"] == "cancelled"
    assert any(m.message == "mindport align: cancelled" for m in client.messages)


async def test_cancel_with_cancel_request(client: LanguageClient):
    await cancel_in_forward(client, "request")
    # the server goes on answering
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=TORCH_URI))
    )
    assert lenses is not None


async def test_bad_arguments_get_a_message_and_the_server_stays(client: LanguageClient):
    result = await execute(client, "mindport.runAlignment", {"uri": TORCH_URI})
    assert result["status"] == "usage"
    result = await execute(
        client,
        "mindport.runAlignment",
        {"uri": TORCH_URI, "factory": "make_net", "inputs": "nonsense"},
    )
    assert result["status"] == "usage" and "DTYPE[" in result["message"]
    opened = await execute(client, "mindport.openReport", {"uri": "file:///nowhere.py"})
    assert opened == {"report": None}


def test_the_server_exits_during_a_run_and_its_workers_go() -> None:
    """A run in progress holds neither the server's exit nor its workers' lives."""
    from bench.lsp_wire import WireClient

    client = WireClient(SERVER)
    try:
        client.initialize(WORKSPACE.as_uri(), {"doctorAtStart": False, "jedi": False})
        argument = {
            "uri": (DATA / "hangs_torch.py").as_uri(),
            "factory": "make_net",
            "ms": str(DATA / "raises_ms.py"),
        }
        client._send(
            {
                "jsonrpc": "2.0",
                "id": 777,
                "method": "workspace/executeCommand",
                "params": {"command": "mindport.runAlignment", "arguments": [argument]},
            }
        )
        workers: set[int] = set()
        for _ in range(600):
            workers = worker_pids()
            if len(workers) == 2:
                break
            time.sleep(0.1)
        assert len(workers) == 2
        client.request("shutdown", None, timeout=30)
        client.notify("exit", None)
        client.proc.wait(timeout=30)  # the run's thread does not keep the server alive
    finally:
        if client.proc.poll() is None:
            client.proc.kill()
            client.proc.wait()
    for _ in range(100):
        if not any(alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
