"""Whole-file conversion in the editor: the source actions "Convert file to MindSpore"
(`source.convert.mindport`, runs the `mindport.convertFile` command) and "fix all"
(`source.fixAll.mindport`: every quick fix of the file at once), and the command, which
creates `<name>_ms.py` beside the file through a WorkspaceEdit (asking before replacing one)
and opens it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

if TYPE_CHECKING:
    from server.lsp.server import MindportServer

log = logging.getLogger(__name__)

SOURCE_CONVERT = "source.convert.mindport"
SOURCE_FIX_ALL = "source.fixAll.mindport"
CONVERT_FILE = "mindport.convertFile"
KINDS = [SOURCE_CONVERT, SOURCE_FIX_ALL]
REPLACE = "Replace"
KEEP = "Keep the existing file"


def _wanted(only: list[str] | None, kind: str) -> bool:
    """LSP kinds are hierarchical: `source` asks for every source action. Source actions are
    listed only when the client asks for them (as editors do for their "Source Action" menu
    and on save): a lightbulb request stays as fast as the quick fixes alone."""
    if not only:
        return False
    return any(kind == k or kind.startswith(k + ".") for k in only)


def source_actions(ls: MindportServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The two source actions for a Python document, when the client asks for source
    actions (`context.only`)."""
    uri = params.text_document.uri
    if not uri.endswith(".py"):
        return []
    only = [str(k) for k in params.context.only] if params.context.only else None
    actions: list[types.CodeAction] = []
    if _wanted(only, SOURCE_CONVERT):
        actions.append(
            types.CodeAction(
                title="mindport: Convert file to MindSpore",
                kind=SOURCE_CONVERT,
                command=types.Command(
                    title="Convert file to MindSpore", command=CONVERT_FILE, arguments=[uri]
                ),
            )
        )
    if _wanted(only, SOURCE_FIX_ALL):
        action = _fix_all(ls, uri)
        if action is not None:
            actions.append(action)
    return actions


def _fix_all(ls: MindportServer, uri: str) -> types.CodeAction | None:
    from server.convert.file import ConvertError, convert_source

    doc = ls.workspace.get_text_document(uri)
    try:
        result = convert_source(doc.source, ls.db, ls.settings.device, fixes_only=True)
    except ConvertError as exc:
        log.info("no fix-all for %s: %s", uri, exc)
        return None
    if result.code == doc.source:
        return None
    return types.CodeAction(
        title="mindport: apply every safe fix",
        kind=SOURCE_FIX_ALL,
        edit=types.WorkspaceEdit(changes={uri: [_whole_document(doc.source, result.code)]}),
    )


def _whole_document(old: str, new: str) -> types.TextEdit:
    lines = old.split("\n")
    end = types.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)
    return types.TextEdit(range=types.Range(types.Position(0, 0), end), new_text=new)


def port_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}_ms.py")


async def convert_file_command(ls: MindportServer, uri: str) -> dict[str, Any]:
    from server.convert.file import ConvertError, convert_source

    path_text = to_fs_path(uri)
    if not path_text:
        return {"created": False, "error": f"not a file: {uri}"}
    source_path = Path(path_text)
    doc = ls.workspace.get_text_document(uri)
    try:
        text = doc.source if doc.source or not source_path.exists() else source_path.read_text()
        result = convert_source(text, ls.db, ls.settings.device, source_path)
    except (ConvertError, OSError, UnicodeDecodeError) as exc:
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=f"mindport: {exc}")
        )
        return {"created": False, "error": str(exc)}
    target = port_path(source_path)
    target_uri = from_fs_path(str(target)) or target.as_uri()
    if target.exists():
        answer = await ls.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=types.MessageType.Warning,
                message=f"{target.name} exists. Replace it with a new port of {source_path.name}?",
                actions=[types.MessageActionItem(REPLACE), types.MessageActionItem(KEEP)],
            )
        )
        if answer is None or answer.title != REPLACE:
            return {"created": False, "uri": target_uri, "reason": "kept the existing file"}
    edit = types.WorkspaceEdit(
        document_changes=[
            types.CreateFile(uri=target_uri, options=types.CreateFileOptions(overwrite=True)),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=target_uri, version=None
                ),
                edits=[
                    types.TextEdit(
                        types.Range(types.Position(0, 0), types.Position(0, 0)), result.code
                    )
                ],
            ),
        ]
    )
    applied = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label="mindport: convert file to MindSpore")
    )
    if not applied.applied:
        return {"created": False, "uri": target_uri, "reason": applied.failure_reason or ""}
    await ls.window_show_document_async(types.ShowDocumentParams(uri=target_uri, take_focus=True))
    counts = result.counts
    summary = (
        f"mindport: {target.name}: converted {counts.converted} of {counts.total_found} torch"
        f" sites ({counts.rate:.0%}); {counts.total_marked} left with a `# mindport:` marker"
    )
    ls.log_to_client(summary)
    return {
        "created": True,
        "uri": target_uri,
        "found": counts.total_found,
        "converted": counts.converted,
        "marked": counts.total_marked,
        "markers": [{"line": m.line, "reason": m.reason} for m in result.markers],
    }


def register(server: MindportServer) -> None:
    # `ls` unannotated: pygls resolves handler type hints when a client sends `arguments`.
    @server.command(CONVERT_FILE)
    async def convert_file(ls, *args: Any) -> dict:  # type: ignore[no-untyped-def]
        uri = args[0] if args and isinstance(args[0], str) else None
        if uri is None and args and isinstance(args[0], list) and args[0]:
            uri = args[0][0]  # some clients pass the arguments as one list
        if not isinstance(uri, str):
            return {"created": False, "error": "mindport.convertFile wants a document URI"}
        try:
            return await convert_file_command(ls, uri)
        except Exception as exc:  # never take the server down
            log.exception("convertFile failed")
            return {"created": False, "error": str(exc)}
