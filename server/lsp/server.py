"""The mindport language server: pygls glue around the pure analysis and advice modules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from mapping_db.store import MappingDB, load_database
from server import __version__
from server.analysis.jedi_fallback import JediFallback
from server.lsp.documents import DocumentStore
from server.lsp.guarded_protocol import GuardedProtocol
from server.lsp.read_ahead import ReadAhead
from server.settings import Settings, load_settings

log = logging.getLogger(__name__)


class MindportServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "mindport",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=GuardedProtocol,
        )
        self.documents = DocumentStore()
        self.settings = Settings()
        self.init_options: dict | None = None
        # Whether the client said the user trusts the workspace (settings.TRUST_OPTION): only
        # then may the workspace's own files name a program to run.
        self.trusted = False
        self.client_config: dict | None = None
        self._db: MappingDB | None = None
        # Bumped on every settings change: part of pulled diagnostics' result ids.
        self.settings_generation = 0
        self._tasks: set[asyncio.Task] = set()
        self.jedi: JediFallback | None = None
        # The start-up work (startup._start_background_work), set once initialized.
        self.start_background_work: Callable[[], None] | None = None
        self.background_started = False
        self.background_pending = False  # a retry of the start-up work is scheduled
        self.initialized_at: float | None = None  # the loop's time at `initialized`
        # The client's messages read ahead (stdio only): lets work that a queued message
        # makes useless be skipped (server.lsp.read_ahead).
        self.read_ahead: ReadAhead | None = None
        # Documents whose analysis was skipped for a queued change (document_sync).
        self.awaiting_analysis: set[str] = set()
        # The latest analysis started per document: an older one finishing late is dropped.
        self.analysis_tickets: dict[str, int] = {}
        self._analysis_thread: ThreadPoolExecutor | None = None

    @property
    def db(self) -> MappingDB:
        if self._db is None:
            self._db = load_database()
        return self._db

    @property
    def shutdown_requested(self) -> bool:
        protocol = self.protocol
        return isinstance(protocol, GuardedProtocol) and protocol.shutdown_seen

    def analysis_thread(self) -> ThreadPoolExecutor:
        """One thread for analyses of slow documents (document_sync.analyse), in order."""
        if self._analysis_thread is None:
            self._analysis_thread = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="mindport-analysis"
            )
        return self._analysis_thread

    def stop_workers(self) -> None:
        """End every worker process the server started (the server is exiting)."""
        if self.jedi is not None:
            self.jedi.shutdown()

    @property
    def pulls_diagnostics(self) -> bool:
        caps = self.client_capabilities
        return caps.text_document is not None and caps.text_document.diagnostic is not None

    def workspace_folder(self) -> Path | None:
        root = self.workspace.root_uri
        if root:
            path = to_fs_path(root)
            if path:
                return Path(path)
        return None

    def reload_settings(self) -> list[str]:
        self.settings, messages = load_settings(
            self.workspace_folder(), self.init_options, self.client_config, trusted=self.trusted
        )
        self.settings_generation += 1
        log.info(
            "settings: device=%s mindspore=%s workspace %s",
            self.settings.device,
            self.settings.mindspore_version,
            "trusted" if self.trusted else "not trusted",
        )
        return messages

    def background(self, coroutine) -> None:
        """Run a coroutine without blocking the caller; keep a reference so it is not lost."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def log_to_client(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))


def create_server() -> MindportServer:
    from server.lsp import code_actions, commands, diagnostics, document_sync, hover, startup

    server = MindportServer()
    for module in (document_sync, startup, diagnostics, hover, code_actions, commands):
        module.register(server)
    from server.lsp import run_commands  # code lenses; alignment and profiling commands

    run_commands.register(server)
    from server.lsp import convert_actions  # whole-file conversion: source actions, command

    convert_actions.register(server)
    return server
