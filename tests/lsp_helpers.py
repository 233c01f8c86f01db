"""Helpers for the LSP tests: the server command, a sample document, requests a test waits
on, and applying a client's edits the way an editor does (UTF-16)."""

from __future__ import annotations

import asyncio
import sys

from lsprotocol import types
from pytest_lsp import LanguageClient


def utf16_offset(text: str, position: types.Position) -> int:
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return offset + index
        units += 2 if ord(char) > 0xFFFF else 1
    return offset + len(line)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    spans = sorted(
        (
            (utf16_offset(text, e.range.start), utf16_offset(text, e.range.end), e.new_text)
            for e in edits
        ),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def utf16_column(line: str, code_point_col: int) -> int:
    return len(line[:code_point_col].encode("utf-16-le")) // 2


SERVER = [sys.executable, "-m", "server.cli", "serve", "--log-level", "warning"]
URI = "file:///tmp/mindport_test/model.py"

SOURCE = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, bias=False)  # keep this comment

    def forward(self, x: Tensor) -> Tensor:
        y = F.relu(self.conv(x))
        return torch.flatten(y, 1)


opt = torch.optim.SGD([], lr=0.1)
"""


def position_of(source: str, needle: str, offset: int = 0) -> types.Position:
    for number, line in enumerate(source.split("\n")):
        col = line.find(needle)
        if col >= 0:
            return types.Position(number, utf16_column(line, col + offset))
    raise AssertionError(f"{needle!r} not in source")


async def open_document(
    client: LanguageClient, text: str, uri: str = URI, version: int = 1
) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )


async def change_document(client: LanguageClient, text: str, version: int, uri: str = URI) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics_after(
    client: LanguageClient, uri: str = URI, timeout: float = 60.0
) -> list[types.Diagnostic]:
    """The document's diagnostics after the next publish (a test fails, never hangs)."""
    waiting = client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    await asyncio.wait_for(waiting, timeout)
    return list(client.diagnostics.get(uri, []))


async def hover_text(
    client: LanguageClient, position: types.Position, uri: str = URI
) -> str | None:
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value
