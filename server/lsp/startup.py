"""Startup and settings: initialize/initialized (settings, database load, libcst warm-up,
jedi worker, doctor at start) and workspace/didChangeConfiguration."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from lsprotocol import types

from server.analysis.jedi_fallback import JediFallback, lower_priority
from server.lsp.code_actions import warm_up
from server.lsp.commands import doctor_at_start
from server.lsp.diagnostics import refresh_all
from server.lsp.document_sync import ask_jedi
from server.lsp.first_document import SECTION, as_dict, trust_and_options

if TYPE_CHECKING:
    from server.lsp.server import MindportServer

log = logging.getLogger(__name__)


PARENT_POLL_S = 2.0


def watch_parent(server: MindportServer, pid: int | None) -> None:
    """Exit when the client's process (initialize's processId) ends, taking the workers
    along: an editor that crashes must not leave servers behind. A pid that does not exist
    already (a client in another pid namespace, e.g. a container) is not watched."""
    if not isinstance(pid, int) or pid <= 0 or pid == os.getpid() or not _alive(pid):
        return
    loop = asyncio.get_running_loop()

    def gone() -> None:
        log.warning("the client (process %d) is gone: exiting", pid)
        server.stop_workers()
        logging.shutdown()
        os._exit(1)

    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux, or an old kernel: poll

        def poll() -> None:
            if _alive(pid):
                loop.call_later(PARENT_POLL_S, poll)
            else:
                gone()

        loop.call_later(PARENT_POLL_S, poll)
        return
    loop.add_reader(fd, gone)  # a pidfd becomes readable when the process ends


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _report(server: MindportServer, messages: list[str]) -> None:
    if messages:
        server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning,
                message="mindport settings: " + " | ".join(messages),
            )
        )


async def _pull_client_config(server: MindportServer) -> None:
    caps = server.client_capabilities.workspace
    if caps is None or not caps.configuration:
        return
    try:
        result = await server.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception as exc:  # a client that fails the request must not stop the server
        log.warning("workspace/configuration failed: %s", exc)
        return
    server.client_config = as_dict(result[0]) if result else None


BACKGROUND_NICENESS = 10
START_DELAY_S = 1.0
# The start-up work waits until no document was analysed for this long (the user is not
# typing), but never more than START_AT_LATEST_S after `initialized`.
QUIET_S = 0.3
START_AT_LATEST_S = 10.0


def _warm_up_and_freeze() -> None:
    """Import the fix machinery, then move every object alive now (pygls, lsprotocol, libcst,
    the database: hundreds of thousands of them) out of the garbage collector's sight. Without
    it each full collection during an analysis walks them all: a 5,000-line file's analysis
    took 1.4-1.7x its time in a fresh process once they were loaded, and 1.0x with them frozen
    (docs/performance.md)."""
    warm_up()
    gc.freeze()


def _start_background_work(server: MindportServer) -> None:
    """The libcst warm-up, the jedi worker and the doctor at start; once."""
    if server.background_started:
        return
    loop = asyncio.get_running_loop()
    now = loop.time()
    if server.initialized_at is None:
        server.initialized_at = now
    last = server.documents.last_analysis_at
    opened = bool(server.workspace.text_documents)
    busy = now - last < QUIET_S or (opened and last == float("-inf"))  # the first one runs
    if busy and now - server.initialized_at < START_AT_LATEST_S:
        if not server.background_pending:
            server.background_pending = True

            def retry() -> None:
                server.background_pending = False
                _start_background_work(server)

            loop.call_later(QUIET_S, retry)
        return
    server.background_started = True
    # its own thread at normal priority: a niced thread holding the GIL would make the
    # request loop wait for it
    threading.Thread(target=_warm_up_and_freeze, name="mindport-warm-up", daemon=True).start()
    if server.settings.jedi and server.jedi is None:
        server.jedi = JediFallback(server.settings.python)
        server.jedi.warm()
        for uri in list(server.workspace.text_documents):
            state = server.documents.get(uri)
            if state is not None:
                ask_jedi(server, uri, state)
    if server.settings.doctor_at_start:
        server.background(doctor_at_start(server))


def register(server: MindportServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: MindportServer, params: types.InitializeParams) -> None:
        ls.trusted, ls.init_options = trust_and_options(params.initialization_options)
        watch_parent(ls, params.process_id)
        _report(ls, ls.reload_settings())

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MindportServer, params: types.InitializedParams) -> None:
        loop = asyncio.get_running_loop()
        # The executor's threads (the doctor's waits) run at a lower CPU priority, and so do
        # the processes they start (the doctor's probes).
        loop.set_default_executor(
            ThreadPoolExecutor(
                max_workers=2,
                thread_name_prefix="mindport-background",
                initializer=lower_priority,
                initargs=(BACKGROUND_NICENESS,),
            )
        )
        db = ls.db  # load now, so the first hover does not pay for it
        ls.log_to_client(f"mindport: mapping database with {len(db):,} torch APIs loaded")
        await _pull_client_config(ls)
        if ls.client_config is not None:
            _report(ls, ls.reload_settings())
            refresh_all(ls)
        # The start-up work waits for the first document's diagnostics (an editor opens one
        # at once) or START_DELAY_S, so that it does not compete with them for the CPU.
        ls.initialized_at = loop.time()
        ls.start_background_work = lambda: _start_background_work(ls)
        loop.call_later(START_DELAY_S, ls.start_background_work)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: MindportServer, params: types.DidChangeConfigurationParams
    ) -> None:
        pushed = as_dict(params.settings) if params.settings else None
        if pushed:
            ls.client_config = pushed
        else:
            await _pull_client_config(ls)
        _report(ls, ls.reload_settings())
        refresh_all(ls)
