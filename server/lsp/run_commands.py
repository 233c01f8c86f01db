"""Alignment and profiling from the editor: code lenses above each model factory, the commands
`mindport.runAlignment`, `mindport.runProfile` and `mindport.openReport`, work-done progress
with cancellation, diagnostics at the layers that diverge, and the report.

User code runs only when a command asks (never on open or hover), in worker processes of the
configured interpreter (server/runner/); the run itself waits in a thread, so the server goes
on answering. Cancelling (`$/cancelRequest` of the command, or the progress token's cancel)
kills the workers. One run per document at a time.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from server.runner.align.factories import module_factories
from server.runner.align.run import run_alignment
from server.runner.align.sides import RunHandle
from server.runner.align.spec import RunSpec, SpecError, parse_inputs, parse_model_ref
from server.runner.align.text import divergence_message
from server.runner.profile import run_profile
from server.runner.report import report_folder, write_report

if TYPE_CHECKING:
    from server.lsp.server import MindportServer

log = logging.getLogger(__name__)

RUN_ALIGNMENT = "mindport.runAlignment"
RUN_PROFILE = "mindport.runProfile"
OPEN_REPORT = "mindport.openReport"
SOURCE = "mindport-align"
# Where each stage starts, in percent of a run.
STAGE_PERCENT = {
    "building": 0,
    "weights": 25,
    "dataset": 30,
    "forward": 35,
    "backward": 55,
    "training": 70,
    "profile": 40,
}
_TOKENS = itertools.count(1)
# The JSON-RPC id of the request being handled; a task started for it inherits the value.
_REQUEST_ID: contextvars.ContextVar[int | str | None] = contextvars.ContextVar(
    "mindport_request_id", default=None
)


class RunState:
    """What the server keeps between runs: runs in progress, reports, and run diagnostics."""

    def __init__(self) -> None:
        self.running: dict[str, RunHandle] = {}  # document uri -> its run
        self.reports: dict[str, Path] = {}  # document uri -> its last report folder
        self.last_report: Path | None = None
        # uri -> diagnostics (LSP JSON) from the last run that concerned that file
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.owner: dict[str, str] = {}  # uri with run diagnostics -> document that ran
        self.by_request: dict[int | str, RunHandle] = {}  # executeCommand id -> its run


def state_of(server: MindportServer) -> RunState:
    state = getattr(server, "run_state", None)
    if state is None:
        state = RunState()
        server.run_state = state  # type: ignore[attr-defined]
        # read by server.lsp.diagnostics when it builds a document's diagnostics
        server.run_diagnostics = state.diagnostics  # type: ignore[attr-defined]
    return state


def _follow_cancel_requests(server: MindportServer, state: RunState) -> None:
    """Make `$/cancelRequest` stop a run. pygls runs a command's coroutine as a task of its
    own, which the cancel of the executeCommand request never reaches; so the request's id is
    put in a context variable (inherited by that task), and the cancel looks the run up."""
    protocol = server.protocol
    handle_request = protocol._handle_request
    handle_cancel = protocol._handle_cancel_notification

    def on_request(msg_id: Any, method_name: str, params: Any) -> Any:
        token = _REQUEST_ID.set(msg_id)
        try:
            return handle_request(msg_id, method_name, params)
        finally:
            _REQUEST_ID.reset(token)

    def on_cancel(msg_id: Any) -> Any:
        run = state.by_request.get(msg_id)
        if run is not None:
            log.info("run cancelled by $/cancelRequest %s", msg_id)
            run.cancel()
        return handle_cancel(msg_id)

    protocol._handle_request = on_request  # type: ignore[method-assign]
    protocol._handle_cancel_notification = on_cancel  # type: ignore[method-assign]


def cancel_all(server: MindportServer) -> None:
    """Stop every run in progress (the server is exiting): their workers are killed."""
    for handle in list(state_of(server).running.values()):
        handle.cancel()


async def stop_runs(server: MindportServer, timeout: float = 10.0) -> None:
    """Cancel the runs and wait until their commands have answered. (pygls' shutdown cancels
    the requests still pending while iterating the dict their callbacks remove from; with no
    run pending it has nothing to cancel here.)"""
    state = state_of(server)
    cancel_all(server)
    deadline = asyncio.get_running_loop().time() + timeout
    while state.running and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.05)  # let the last command's answer go out


# -- code lenses ------------------------------------------------------------------------------


def code_lenses(uri: str, source: str) -> list[types.CodeLens]:
    lenses = []
    for factory in module_factories(source):
        if not factory.callable_without_arguments:
            continue  # FILE::FACTORY must be callable with no arguments
        position = types.Range(
            types.Position(factory.line, factory.col), types.Position(factory.line, factory.col)
        )
        argument = {"uri": uri, "factory": factory.name}
        lenses.append(
            types.CodeLens(
                position, types.Command("Align with MindSpore", RUN_ALIGNMENT, arguments=[argument])
            )
        )
        lenses.append(
            types.CodeLens(position, types.Command("Profile", RUN_PROFILE, arguments=[argument]))
        )
    return lenses


# -- arguments -----------------------------------------------------------------------------


def _arguments(args: tuple[Any, ...]) -> dict[str, Any]:
    """`[{"uri": ..., "factory": ..., "ms": ..., ...}]` or `[uri, factory]`."""
    if len(args) == 1 and isinstance(args[0], dict):
        return dict(args[0])
    if len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        return {"uri": args[0], "factory": args[1]}
    raise SpecError("arguments: [{uri, factory, ms?, inputs?, steps?, rtol?, atol?}]")


def make_spec(
    server: MindportServer, arguments: dict[str, Any], stages: tuple[str, ...]
) -> RunSpec:
    uri, factory = arguments.get("uri"), arguments.get("factory")
    if not isinstance(uri, str) or not isinstance(factory, str):
        raise SpecError("give the document `uri` and the `factory` to run")
    path = to_fs_path(uri)
    if not path:
        raise SpecError(f"not a file: {uri}")
    torch = parse_model_ref(f"{path}::{factory}")
    ms = parse_model_ref(arguments["ms"], factory) if arguments.get("ms") else None
    settings = server.settings
    spec = RunSpec(torch, ms, device=settings.device, python=settings.python, stages=stages)
    if arguments.get("inputs"):
        spec.inputs = parse_inputs(str(arguments["inputs"]))
    for key in ("steps", "repeat"):
        if key in arguments:
            setattr(spec, key, int(arguments[key]))
    for key in ("rtol", "atol", "timeout"):
        if key in arguments:
            setattr(spec, key, float(arguments[key]))
    spec.check()
    return spec


# -- progress ------------------------------------------------------------------------------


class Progress:
    """Work-done progress for one run, fed from the run's thread; cancellable by the client."""

    def __init__(self, server: MindportServer, handle: RunHandle, title: str) -> None:
        self.server = server
        self.handle = handle
        self.title = title
        self.token: str | None = None
        self.loop = asyncio.get_running_loop()

    def _supported(self) -> bool:
        window = self.server.client_capabilities.window
        return bool(window is not None and window.work_done_progress)

    async def begin(self) -> None:
        if not self._supported():
            return
        token = f"mindport-run-{next(_TOKENS)}"
        try:
            await asyncio.wait_for(self.server.work_done_progress.create_async(token), 10)
        except Exception as exc:  # a client that refuses: run without progress
            log.info("no work-done progress: %s", exc)
            return
        self.token = token
        future = self.server.work_done_progress.tokens.get(token)
        if future is not None:  # the client's cancel button
            future.add_done_callback(lambda f: f.cancelled() and self.handle.cancel())
        self.server.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=self.title, cancellable=True, message="starting", percentage=0
            ),
        )

    def report(self, stage: str, message: str) -> None:
        """Called from the run's thread."""
        if self.token is None:
            return
        value = types.WorkDoneProgressReport(
            message=f"{stage}: {message}", percentage=STAGE_PERCENT.get(stage)
        )
        self.loop.call_soon_threadsafe(self.server.work_done_progress.report, self.token, value)

    def end(self, message: str) -> None:
        if self.token is None:
            return
        self.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
        self.server.work_done_progress.tokens.pop(self.token, None)


# -- results -------------------------------------------------------------------------------


def _line_range(path: str, line: int) -> dict[str, Any]:
    """The text of a 1-based line, from its first non-blank character (UTF-16 columns)."""
    try:
        text = Path(path).read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        text = ""
    start = len(text) - len(text.lstrip())
    end = len(text.encode("utf-16-le")) // 2
    return {
        "start": {"line": line - 1, "character": start},
        "end": {"line": line - 1, "character": max(end, start)},
    }


def _diagnostic(site: dict[str, Any], message: str, severity: int) -> tuple[str, dict] | None:
    if not site or not site.get("file") or not site.get("line"):
        return None
    uri = from_fs_path(site["file"])
    if uri is None:
        return None
    return uri, {
        "range": _line_range(site["file"], int(site["line"])),
        "severity": severity,
        "source": SOURCE,
        "message": message,
    }


def run_diagnostics(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A diagnostic at the line defining each divergent layer (port and torch), or at the
    user's frame of an error. The port converted in memory has no file to point at."""
    found: dict[str, list[dict[str, Any]]] = {}
    in_memory = result.get("mindspore", {}).get("converted_in_memory")

    def add(item: tuple[str, dict] | None) -> None:
        if item is not None:
            found.setdefault(item[0], []).append(item[1])

    error = result.get("error")
    if error and error.get("frame"):
        add(_diagnostic(error["frame"], f"alignment: {error['message']}", 1))
    first = result.get("first_divergence")
    if first:
        message = "alignment: " + divergence_message(first)
        if not in_memory:
            add(_diagnostic(first.get("port") or {}, message, 2))
        add(_diagnostic(first.get("torch_site") or {}, message, 2))
    rows = result.get("stages", {}).get("forward", {}).get("rows", [])
    causes = [r for r in rows if r.get("status") == "diverges" and r.get("inputs_agree")]
    paths = {r["path"] for r in causes}
    for row in causes:
        # a block whose own layer diverges is explained by that layer: say it once, there
        prefix = row["path"] + "." if row["path"] else ""
        if any(p != row["path"] and p.startswith(prefix) for p in paths):
            continue
        if first and row["path"] == first.get("path") and first.get("stage") == "forward":
            continue  # already said, as the first
        row_first = dict(row, stage="forward")
        message = "alignment: " + divergence_message(row_first).replace(
            "first divergent", "divergent", 1
        )
        if not in_memory:
            add(_diagnostic(row.get("port") or {}, message, 3))
        add(_diagnostic(row.get("torch_site") or {}, message, 3))
    return found


def summary(result: dict[str, Any], kind: str) -> str:
    status = result.get("status")
    if result.get("error"):
        return f"mindport {kind}: {result['error']['message']}"
    if kind == "profile":
        totals = result.get("totals") or {}
        ratio = totals.get("step_ratio")
        text = f"{ratio:.2f}x torch's step time" if ratio else "done"
        return f"mindport profile: MindSpore takes {text}"
    if status == "ok":
        return "mindport align: every stage agrees within tolerance"
    first = result.get("first_divergence") or {}
    return "mindport align: " + divergence_message(first) if first else "mindport align: diverges"


def _publish(server: MindportServer, document: str, found: dict[str, list[dict]]) -> None:
    """Replace the run diagnostics this document's runs made; push or ask for a pull."""
    from server.lsp import diagnostics

    state = state_of(server)
    touched = {uri for uri, owner in state.owner.items() if owner == document} | set(found)
    for uri in list(state.owner):
        if state.owner[uri] == document:
            state.diagnostics.pop(uri, None)
            del state.owner[uri]
    for uri, items in found.items():
        state.diagnostics[uri] = items
        state.owner[uri] = document
    if server.pulls_diagnostics:
        # part of pulled diagnostics' result ids: a client that pulls again gets the new ones
        server.settings_generation += 1
        diagnostics.refresh_all(server)
    for uri in touched:
        if server.documents.get(uri) is not None and not server.pulls_diagnostics:
            diagnostics.publish(server, uri)
        elif server.documents.get(uri) is None:
            diagnostics._notify(server, {"uri": uri, "diagnostics": state.diagnostics.get(uri, [])})


# -- the commands --------------------------------------------------------------------------


def _in_daemon_thread(function: Any, *args: Any) -> asyncio.Future[Any]:
    """Run `function` in a daemon thread: unlike asyncio.to_thread's executor, it does not hold
    the server's exit until a run ends (the workers then see their parent go, and stop)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        try:
            value, error = function(*args), None
        except BaseException as exc:  # handed to the awaiting coroutine
            value, error = None, exc
        loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="mindport-run", daemon=True).start()
    return future


async def _run(server: MindportServer, args: tuple[Any, ...], kind: str) -> dict[str, Any]:
    state = state_of(server)
    try:
        arguments = _arguments(args)
        stages = ("profile",) if kind == "profile" else ("forward", "backward", "training")
        spec = make_spec(server, arguments, stages)
    except SpecError as exc:
        server.window_show_message(
            types.ShowMessageParams(types.MessageType.Error, f"mindport {kind}: {exc}")
        )
        return {"status": "usage", "exit_code": 2, "message": str(exc)}
    uri = arguments["uri"]
    if uri in state.running:
        message = f"mindport {kind}: a run for this document is already going; cancel it first"
        server.window_show_message(types.ShowMessageParams(types.MessageType.Warning, message))
        return {"status": "busy", "message": message}
    handle = RunHandle()
    state.running[uri] = handle
    request_id = _REQUEST_ID.get()
    if request_id is not None:
        state.by_request[request_id] = handle
    title = f"mindport {kind}: {spec.torch.factory}"
    progress = Progress(server, handle, title)
    try:
        await progress.begin()
        runner = run_profile if kind == "profile" else run_alignment
        try:
            result = await _in_daemon_thread(runner, spec, progress.report, handle)
        except asyncio.CancelledError:  # $/cancelRequest: stop the workers, then give up
            handle.cancel()
            progress.end("cancelled")
            raise
        workspace = server.workspace_folder() or spec.user_root
        folder = None
        if result["status"] not in ("usage", "cancelled"):
            try:
                folder = await asyncio.to_thread(_write, result, workspace, spec, kind)
            except OSError as exc:
                log.warning("report not written: %s", exc)
        message = summary(result, kind)
        progress.end(message)
        if kind == "align" or result.get("error"):
            _publish(server, uri, run_diagnostics(result))
        level = types.MessageType.Info if result["status"] == "ok" else types.MessageType.Warning
        if result["status"] == "cancelled":
            message = f"mindport {kind}: cancelled"
        server.window_show_message(types.ShowMessageParams(level, message))
        if folder is not None:
            state.reports[uri] = state.last_report = folder
            await _show(server, folder)
        return {
            "status": result["status"],
            "exit_code": result["exit_code"],
            "message": message,
            "first_divergence": result.get("first_divergence"),
            "report": str(folder / "index.html") if folder else None,
            "error": result.get("error"),
        }
    finally:
        state.running.pop(uri, None)
        if request_id is not None:
            state.by_request.pop(request_id, None)


def _write(result: dict[str, Any], workspace: Path, spec: RunSpec, kind: str) -> Path:
    folder = report_folder(workspace, f"{kind}-{spec.torch.file.stem}-{spec.torch.factory}")
    if kind == "profile":
        return write_report(result, folder, profile=result)
    return write_report(result, folder)


async def _show(server: MindportServer, folder: Path) -> bool:
    page = folder / "index.html"
    uri = from_fs_path(str(page))
    window = server.client_capabilities.window
    if uri is None or window is None or window.show_document is None:
        server.log_to_client(f"mindport report: {page}")
        return False
    try:
        answer = await asyncio.wait_for(
            server.window_show_document_async(types.ShowDocumentParams(uri=uri, external=True)), 10
        )
    except Exception as exc:
        log.info("showDocument failed: %s", exc)
        return False
    return bool(getattr(answer, "success", False))


def register(server: MindportServer) -> None:
    _follow_cancel_requests(server, state_of(server))

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls, *args):  # no annotations: pygls resolves them at call time
        await stop_runs(ls)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    def lenses(ls: MindportServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        try:
            return code_lenses(params.text_document.uri, document.source)
        except Exception as exc:  # bad input never takes the server down
            log.warning("code lenses: %s", exc)
            return []

    @server.command(RUN_ALIGNMENT)
    async def align(ls, *args):  # no annotations: pygls resolves them at call time
        return await _run(ls, args, "align")

    @server.command(RUN_PROFILE)
    async def profile(ls, *args):  # no annotations: pygls resolves them at call time
        return await _run(ls, args, "profile")

    @server.command(OPEN_REPORT)
    async def open_report(ls, *args):  # no annotations: pygls resolves them at call time
        state = state_of(ls)
        uri = None
        if args and isinstance(args[0], dict):
            uri = args[0].get("uri")
        elif args and isinstance(args[0], str):
            uri = args[0]
        folder = state.reports.get(uri) if uri else state.last_report
        if folder is None:
            message = "mindport: no report yet (run Align with MindSpore or Profile first)"
            ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, message))
            return {"report": None}
        shown = await _show(ls, folder)
        return {"report": str(folder / "index.html"), "shown": shown}
