"""The mindport language server: pygls glue around the pure analysis and advice modules."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from mapping_db.store import MappingDB, load_database
from server import __version__
from server.analysis.jedi_fallback import JediFallback
from server.lsp.documents import DocumentStore
from server.settings import Settings, load_settings

log = logging.getLogger(__name__)


class MindportServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "mindport",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.documents = DocumentStore()
        self.settings = Settings()
        self.init_options: dict | None = None
        self.client_config: dict | None = None
        self._db: MappingDB | None = None
        # Bumped on every settings change: part of pulled diagnostics' result ids.
        self.settings_generation = 0
        self._tasks: set[asyncio.Task] = set()
        self.jedi: JediFallback | None = None

    @property
    def db(self) -> MappingDB:
        if self._db is None:
            self._db = load_database()
        return self._db

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
            self.workspace_folder(), self.init_options, self.client_config
        )
        self.settings_generation += 1
        log.info(
            "settings: device=%s mindspore=%s",
            self.settings.device,
            self.settings.mindspore_version,
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
    from server.lsp import code_actions, commands, config, diagnostics, hover, lifecycle

    server = MindportServer()
    for module in (lifecycle, config, diagnostics, hover, code_actions, commands):
        module.register(server)
    return server
