"""Quick fixes: rewrite a torch call to its MindSpore target, with the import it needs.

The fixes are built as plain LSP JSON (server.lsp.quick_fix_items), the same builder the
first document's early answer uses (server.lsp.early_code_actions): pygls sends the dicts
as they are."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from server.lsp.convert_actions import KINDS, source_actions
from server.lsp.quick_fix_items import quick_fix_items, warm_up

if TYPE_CHECKING:
    from server.lsp.server import MindportServer

__all__ = ["register", "warm_up"]


def register(server: MindportServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, *KINDS]),
    )
    def code_action(ls: MindportServer, params: types.CodeActionParams):
        uri = params.text_document.uri
        state = ls.documents.get(uri)
        if state is None or state.stale:
            return None  # never edit from ranges of an older text
        actions: list[Any] = source_actions(ls, params)  # server.lsp.convert_actions
        codec = ls.workspace.get_text_document(uri).position_codec
        raw = ls.protocol._converter.unstructure(params)  # the params as JSON
        actions += quick_fix_items(
            uri, state, ls.db, ls.settings.device, codec.client_num_units, raw
        )
        return actions or None
