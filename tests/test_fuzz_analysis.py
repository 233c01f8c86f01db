"""Fuzzing the pure layers with generated sources: analysis, the incremental update, hover,
diagnostics, quick fixes and whole-file conversion never fail on any text, and what they
return stays inside the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from mapping_db.store import load_database
from server.advice.assess import assess
from server.advice.hover_text import hover_markdown
from server.advice.policy import finding_level
from server.analysis.edits import FixRefused
from server.analysis.incremental import analyse_module
from server.analysis.references import LINE_BREAK
from server.lsp.documents import DocumentStore
from server.lsp.positions import from_client_position, span_to_range
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
REAL = [
    (ROOT / "examples" / "resnet50" / "model.py").read_text(),
    (ROOT / "tests" / "lsp_helpers.py").read_text(),
]

TOKENS = [
    "import torch", "import torch.nn as nn", "from torch import nn",
    "import torch.nn.functional as F",
    "torch.flatten(x, 1)", "nn.Conv2d(3, 8, 3)", "F.relu", "x.view(-1)", "x.data = y",
    ".cuda()", "class", "def", "forward", "self", "(", ")", "[", "]", "{", "}", ":", ",", "=",
    "+", "@", "lambda", "yield", "return", "with", "torch.no_grad():", "'", '"', '"""', "#",
    "\\", "if", "else:", "async", "await", "x", "é", "😀", "\t", "  ", "    ", "\n", "\r\n",
    "\r", "\x0c", "\u2028", "\x00", "nonlocal", "global", "*", "**", "->", ":=", "...",
]  # fmt: skip

DB = load_database()
CODEC = PositionCodec()


@st.composite
def sources(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["tokens", "half-typed", "nested", "long-line", "bytes", "text"]))
    if kind == "tokens":
        return "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=80)))
    if kind == "half-typed":
        text = draw(st.sampled_from(REAL))
        cut = draw(st.integers(0, len(text)))
        removed = draw(st.integers(0, 200))
        return text[:cut] + draw(st.sampled_from(TOKENS)) + text[cut + removed :]
    if kind == "nested":
        depth = draw(st.integers(1, 3000))
        opener, closer = draw(st.sampled_from([("(", ")"), ("[", "]"), ("{", "}"), ("f(", ")")]))
        closed = draw(st.booleans())
        body = opener * depth + "torch.ones(1)" + (closer * depth if closed else "")
        return "import torch\nx = " + body + "\n"
    if kind == "long-line":
        width = draw(st.sampled_from([100_000, 150_000]))
        piece = draw(st.sampled_from(["torch.ones(1)+", "x.view(1)+", "é😀", "(", "'"]))
        return "import torch\ny = " + piece * (width // len(piece)) + "\n"
    if kind == "bytes":
        raw = draw(st.binary(max_size=400))
        return raw.decode("utf-8", errors="surrogateescape")  # lone surrogates included
    return draw(st.text(max_size=300))


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _inside(lines: list[str], line: int, col: int) -> bool:
    return 0 <= line < len(lines) and 0 <= col <= len(lines[line])


@FUZZ
@given(source=sources())
def test_analysis_and_what_the_editor_asks_of_it(source: str) -> None:
    lines = LINE_BREAK.split(source)
    module = analyse_module(source)
    result = module.result
    if result.syntax_error is not None:
        assert result.references == []
        assert 0 <= result.syntax_error.line
    for ref in result.references:
        assert _inside(lines, ref.span.line, ref.span.col), ref
        assert _inside(lines, ref.span.end_line, ref.span.end_col), ref
        # diagnostics: the assessment, its level and its range in the client's units
        assessment = assess(ref, DB, "CPU")
        if assessment is not None:
            finding_level(assessment, Settings())
            r = span_to_range(CODEC, lines, ref.span)
            assert r.start.line == ref.span.line and r.start.character >= 0
        # hover on the reference
        where = from_client_position(CODEC, lines, types.Position(ref.span.line, ref.span.col))
        assert where is not None
        assert result.reference_at(*where) is not None
        assert hover_markdown(DB, ref.qualified_name, "CPU")


@FUZZ
@given(source=sources())
def test_quick_fixes_refuse_or_plan_inside_the_document(source: str) -> None:
    from server.convert.pattern_fix import plan_pattern_fix
    from server.convert.quick_fix import plan_fix

    lines = LINE_BREAK.split(source)
    result = analyse_module(source).result
    refs = result.references[:20]
    for ref in refs:
        assessment = assess(ref, DB, "CPU")
        try:
            if ref.context == "pattern":
                plan = plan_pattern_fix(lines, result, ref)
            elif assessment is not None and assessment.target is not None:
                plan = plan_fix(lines, result, ref, assessment.target)
            else:
                continue
        except FixRefused:
            continue
        for edit in plan.edits:
            assert _inside(lines, edit.span.line, edit.span.col)


@FUZZ
@given(source=sources(), data=st.data())
def test_positions_from_any_client(source: str, data) -> None:
    lines = LINE_BREAK.split(source)
    big = 2**31 - 1
    for _ in range(5):
        line = data.draw(st.integers(0, big))
        character = data.draw(st.integers(0, big))
        where = from_client_position(CODEC, lines, types.Position(line, character))
        if where is not None:
            assert _inside(lines, *where)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=sources())
def test_whole_file_conversion_converts_or_says_why(source: str) -> None:
    from server.convert.file import ConvertError, convert_source

    try:
        converted = convert_source(source, DB, "CPU")
    except ConvertError:
        return
    # what it writes parses whenever what it read did
    compile(converted.code, "<converted>", "exec", dont_inherit=True)


@FUZZ
@given(texts=st.lists(sources(), min_size=1, max_size=6))
def test_a_document_through_any_versions(texts: list[str]) -> None:
    """Whatever the texts in turn, each version's answer is that text's own analysis."""
    store = DocumentStore()
    for version, text in enumerate(texts, 1):
        state = store.update("file:///fuzz.py", version, text)
        full = analyse_module(text).result if "\0" not in text else None
        if full is None:
            assert state.skipped
        elif full.syntax_error is None:
            assert not state.stale and state.result.references == full.references
        else:
            assert state.syntax_error is not None


@pytest.mark.parametrize("source", ["\ud800", "x = '\udcff'\n", "\x00" * 10, "\r" * 1000])
def test_known_odd_texts(source: str) -> None:
    analyse_module(source)
    DocumentStore().update("file:///odd.py", 1, source)
