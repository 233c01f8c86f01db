"""Settings plumbing: initializationOptions, workspace/configuration and pyproject.toml."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from server.analysis.jedi_fallback import JediFallback
from server.lsp.code_actions import warm_up
from server.lsp.commands import doctor_at_start
from server.lsp.diagnostics import refresh_all

if TYPE_CHECKING:
    from server.lsp.server import MindportServer

log = logging.getLogger(__name__)
SECTION = "mindport"


def _as_dict(value: Any) -> dict | None:
    if value is None:
        return None
    if isinstance(value, dict):
        # Clients send either the settings themselves or {"mindport": {...}}.
        inner = value.get(SECTION)
        return inner if isinstance(inner, dict) else value
    return {"<invalid>": value}


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
    server.client_config = _as_dict(result[0]) if result else None


def register(server: MindportServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: MindportServer, params: types.InitializeParams) -> None:
        ls.init_options = _as_dict(params.initialization_options)
        _report(ls, ls.reload_settings())

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MindportServer, params: types.InitializedParams) -> None:
        db = ls.db  # load now, so the first hover does not pay for it
        ls.log_to_client(f"mindport: mapping database with {len(db):,} torch APIs loaded")
        await _pull_client_config(ls)
        if ls.client_config is not None:
            _report(ls, ls.reload_settings())
            refresh_all(ls)
        ls.background(asyncio.to_thread(warm_up))
        if ls.settings.jedi and ls.jedi is None:
            ls.jedi = JediFallback(ls.settings.python)
            ls.jedi.warm()
        if ls.settings.doctor_at_start:
            ls.background(doctor_at_start(ls))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: MindportServer, params: types.DidChangeConfigurationParams
    ) -> None:
        pushed = _as_dict(params.settings) if params.settings else None
        if pushed:
            ls.client_config = pushed
        else:
            await _pull_client_config(ls)
        _report(ls, ls.reload_settings())
        refresh_all(ls)
