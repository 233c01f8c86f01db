"""Edit storms: whatever the edits, the answer for the last text is a fresh analysis of it;
work a queued message makes useless is dropped; the server lives long without growing."""

from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.lsp_wire import WireClient
from mapping_db.store import load_database
from server.advice.assess import assess
from server.advice.compliance import reported_in
from server.analysis.incremental import analyse_module
from server.analysis.references import LINE_BREAK
from server.lsp.documents import DocumentStore
from tests.lsp_helpers import SERVER
from tests.test_incremental import CLASSY

ROOT = Path(__file__).resolve().parent.parent
MODEL = (ROOT / "examples" / "resnet50" / "model.py").read_text()
QUIET = {"doctorAtStart": False, "jedi": False}
DB = load_database()
PIECES = [
    "x", "1", " ", "(", ")", ":", ".", "\n", "\n    ", "\n        ", "torch.flatten(x, 1)",
    "nn.Conv2d(3, 8, 3)", "F.relu(x)", "y.view(-1)", "import torch.nn.functional as F\n",
    "F = None\n", "def g(x):\n    return x.permute(1, 0)\n", "class C(nn.Module):\n    pass\n",
    "else:", "@torch.no_grad()\n", '"""', "'", "\\\n", "# c", "\t", "é😀", "async ", "",
]  # fmt: skip


def _apply(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


@st.composite
def edit_sequences(draw: st.DrawFn) -> list[tuple[float, float, str]]:
    """Edits as (start, length) fractions of the text at that time, and the new text."""
    count = draw(st.integers(1, 25))
    return [
        (
            draw(st.floats(0, 1)),
            draw(st.sampled_from([0.0, 0.0, 0.001, 0.01, 0.05])),
            draw(st.sampled_from(PIECES)),
        )
        for _ in range(count)
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=edit_sequences())
def test_every_version_is_answered_as_a_fresh_analysis_would(edits) -> None:
    """The store updates incrementally (from the last text that parsed); after every edit
    the findings equal a full analysis of the text, and a syntax error is reported exactly
    when the text does not parse."""
    store = DocumentStore()
    text = MODEL
    store.update("file:///storm.py", 1, text)
    for version, (where, length, new) in enumerate(edits, 2):
        start = int(where * len(text))
        end = min(len(text), start + int(length * len(text)))
        text = _apply(text, start, end, new)
        _check_against_fresh(store.update("file:///storm.py", version, text), text)


def _check_against_fresh(state, text: str) -> None:
    full = analyse_module(text).result
    if full.syntax_error is None:
        assert state.syntax_error is None and not state.stale
        assert state.result.references == full.references
        assert state.result.import_insert_line == full.import_insert_line
        # the assessments, partly remembered from earlier versions, are a fresh one's
        fresh = [
            a
            for r in full.references
            if reported_in(r.qualified_name, "pynative") and r.confidence != "unresolved"
            if (a := assess(r, DB, "CPU")) is not None
        ]
        assert state.assessments(DB, "CPU") == fresh
    else:
        assert state.syntax_error is not None
        lines = LINE_BREAK.split(text)
        for ref in state.result.references:  # the last good findings, moved with the text
            assert ref.span.line < len(lines)


# What typing inside a method may do: half-typed code, and whole statements, some of which
# change what other methods see (a layer or buffer set on self, a tensor returned, a nested
# function writing self.*, a method added, a decorator).
METHOD_PIECES = [
    "x", "(", ")", ":", ".", "\n", "\n        ", " -> Tensor", "async ", "", '"""', "\\\n",
    "else:", "é😀", "\n    def added(self, x):\n        return x.cuda()", "\n    @torch.no_grad()",
]  # fmt: skip
METHOD_STATEMENTS = [
    "t = torch.flatten(x, 1)", "self.extra = nn.Linear(2, 2)", "q = self.extra(x).view(-1)",
    "self.register_buffer('v', torch.ones(1))", "return torch.zeros(1)", "print(x.item())",
    "def deep(t):\n            self.late = nn.ReLU()\n            return t.cuda()",
    "def deep2(t):\n            return t.cuda()", "w = self.fc(x).permute(0)",
    "z = self.helper(x).unsqueeze(0)", "for m in self.modules():\n            m.cuda()",
    "y = lambda t: t.view(-1)", "global G\n        G = torch.ones(1)",
    "y = (z := torch.ones(1)).cuda()", "y = [t.cuda() for t in self.parameters()]",
]  # fmt: skip


@st.composite
def method_edit_sequences(draw: st.DrawFn) -> list[tuple[float, int, int, str]]:
    """Edits at (which indented line, column past the indentation or -1: a new line after
    it), deleting some characters, inserting a piece."""
    count = draw(st.integers(1, 25))
    edits = []
    for _ in range(count):
        where = draw(st.floats(0, 1))
        if draw(st.booleans()):
            statement = "\n        " + draw(st.sampled_from(METHOD_STATEMENTS))
            edits.append((where, -1, 0, statement))
        else:
            col = draw(st.integers(0, 40))
            length = draw(st.sampled_from([0, 0, 0, 1, 3, 12, 60]))
            edits.append((where, col, length, draw(st.sampled_from(METHOD_PIECES))))
    return edits


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=method_edit_sequences(), classy=st.booleans())
def test_edits_inside_methods_are_answered_as_a_fresh_analysis_would(edits, classy) -> None:
    """As above, with every edit inside a method of a class (where one method is analysed
    again alone when nothing other methods see changed)."""
    store = DocumentStore()
    text = CLASSY if classy else MODEL
    store.update("file:///methods.py", 1, text)
    for version, (where, col, length, new) in enumerate(edits, 2):
        lines = text.split("\n")
        inside = [i for i, line in enumerate(lines) if line.startswith("        ")] or [0]
        line = inside[int(where * (len(inside) - 1))]
        at = len(lines[line]) if col < 0 else min(8 + col, len(lines[line]))
        start = sum(len(x) + 1 for x in lines[:line]) + at
        text = _apply(text, start, min(len(text), start + length), new)
        _check_against_fresh(store.update("file:///methods.py", version, text), text)


def _diagnostics_for(client: WireClient, uri: str, version: int, timeout: float = 120) -> list:
    deadline = time.monotonic() + timeout
    while True:
        _, message = client.wait_notification(
            "textDocument/publishDiagnostics", timeout=deadline - time.monotonic()
        )
        params = message["params"]
        if params["uri"] == uri and params.get("version") == version:
            return params["diagnostics"]


def _comparable(diagnostics: list) -> list:
    return sorted(
        (json.dumps(d["range"]), d["message"], d.get("severity"), d.get("code"))
        for d in diagnostics
    )


def _position(text: str, offset: int) -> dict:
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


def _typing(text: str, rng: random.Random, keys: int) -> list[tuple[int, int, str]]:
    """Keystrokes (start, end, new) typing whole statements into `text`, char by char, with
    typos taken back: in the middle of a method, and at the end of the file."""
    lines = text.split("\n")
    body = [i for i, line in enumerate(lines) if line.startswith("        ") and line.strip()]
    statements = [
        ("        ", "y = torch.flatten(x, 1)"),
        ("        ", "z = F.relu(self.conv1(x)).view(-1)"),
        ("", "w = nn.Conv2d(3, 8, 3, bias=False)"),
        ("", "def extra(t):\n    return t.permute(1, 0).cuda()"),
    ]
    out: list[tuple[int, int, str]] = []
    while len(out) < keys:
        indent, statement = rng.choice(statements)
        if indent:
            line = rng.choice(body)
            cursor = sum(len(x) + 1 for x in lines[: line + 1])  # start of the next line
        else:
            cursor = len(text)
        opening = indent + ("" if indent else "\n")
        out.append((cursor, cursor, opening))
        text = text[:cursor] + opening + text[cursor:]
        cursor += len(opening)
        for char in statement + "\n":
            if rng.random() < 0.1:  # a typo, taken back
                out.append((cursor, cursor, "q"))
                out.append((cursor, cursor + 1, ""))
            out.append((cursor, cursor, char))
            text = text[:cursor] + char + text[cursor:]
            cursor += 1
        lines = text.split("\n")
        body = [i for i, line in enumerate(lines) if line.startswith("        ") and line.strip()]
    return out


def test_a_storm_of_ranged_edits(tmp_path: Path) -> None:
    """1,000 ranged edits sent back to back (typing statements, typos taken back): the last
    version's diagnostics equal a fresh server's answer for the final text, and most
    intermediate analyses were skipped."""
    log = tmp_path / "server.log"
    client = WireClient(command=SERVER, log_file=log)
    uri = "file:///tmp/mindport_storm/model.py"
    text = MODEL
    keystrokes = _typing(text, random.Random(7), 1000)
    try:
        client.initialize(None, QUIET)
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        _diagnostics_for(client, uri, 1)
        version = 1
        for start, end, new in keystrokes:
            version += 1
            change = {
                "range": {"start": _position(text, start), "end": _position(text, end)},
                "text": new,
            }
            text = _apply(text, start, end, new)
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
        final = _diagnostics_for(client, uri, version)
        assert analyse_module(text).result.syntax_error is None  # whole statements typed
        fresh_uri = "file:///tmp/mindport_storm/fresh.py"
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": fresh_uri,
                    "languageId": "python",
                    "version": 1,
                    "text": text,
                }
            },  # fmt: skip
        )
        fresh = _diagnostics_for(client, fresh_uri, 1)
        assert _comparable(final) == _comparable(fresh)
        assert len(final) > 20
    finally:
        client.close()
    analysed = re.findall(r"analysed file:///tmp/mindport_storm/model\.py v(\d+)", log.read_text())
    assert str(version) in analysed
    assert len(analysed) < len(keystrokes)  # superseded versions were not analysed


def test_a_cancelled_request_that_has_not_started_is_not_run() -> None:
    """While the server is busy, a hover and its $/cancelRequest queue up: the hover is
    answered "cancelled" (-32800) without running; the next hover is answered."""
    client = WireClient(command=SERVER)
    try:
        client.initialize(None, QUIET)
        uri = "file:///tmp/mindport_storm/busy.py"
        big = "import torch\n" + "x = torch.zeros(3).view(3, 1)\n" * 40_000
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": big}},
        )  # seconds of analysis: the messages below queue up meanwhile
        hover = {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 5}}
        body = json.dumps({"jsonrpc": "2.0", "id": 900, "method": "textDocument/hover",
                           "params": hover})  # fmt: skip
        client.send_raw(body.encode())
        client.notify("$/cancelRequest", {"id": 900})
        box = client._responses.setdefault(900, __import__("queue").Queue())
        _, answer = box.get(timeout=120)
        assert answer.get("error", {}).get("code") == -32800, answer
        assert client.request("textDocument/hover", hover) is not None
    finally:
        client.close()


def test_long_life_memory(tmp_path: Path) -> None:
    """Many mixed requests (edits, hovers, code actions, opens and closes): the resident
    memory after warming up grows by less than 10 MB."""
    client = WireClient(command=SERVER)
    rng = random.Random(3)
    text = MODEL
    uri = "file:///tmp/mindport_storm/life.py"
    lines = text.split("\n")
    targets = [(i, line.find("nn.")) for i, line in enumerate(lines) if "nn." in line]

    def rss_kb() -> int:
        status = Path(f"/proc/{client.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))

    def round_of_requests(count: int, version: int) -> int:
        for i in range(count):
            kind = i % 10
            if kind < 4:
                version += 1
                line, col = rng.choice(targets)
                position = {"line": line, "character": 0}
                client.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [
                            {"range": {"start": position, "end": position}, "text": ""}
                        ],
                    },
                )
            elif kind < 8:
                line, col = rng.choice(targets)
                client.request(
                    "textDocument/hover",
                    {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}},
                )
            elif kind == 8:
                line, col = rng.choice(targets)
                position = {"line": line, "character": col + 1}
                client.request(
                    "textDocument/codeAction",
                    {
                        "textDocument": {"uri": uri},
                        "range": {"start": position, "end": position},
                        "context": {"diagnostics": []},
                    },
                )
            else:
                other = f"file:///tmp/mindport_storm/other{i % 7}.py"
                client.notify(
                    "textDocument/didOpen",
                    {
                        "textDocument": {
                            "uri": other,
                            "languageId": "python",
                            "version": 1,
                            "text": text,
                        }
                    },  # fmt: skip
                )
                client.notify("textDocument/didClose", {"textDocument": {"uri": other}})
            client.drain()
        return version

    try:
        client.initialize(None, QUIET)
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        version = round_of_requests(3_000, 1)  # warm: caches, first fixes, allocator pools
        before = rss_kb()
        version = round_of_requests(20_000, version)
        after = rss_kb()
    finally:
        client.close()
    assert after - before < 10_000, f"RSS grew {after - before} kB over 20,000 requests"
