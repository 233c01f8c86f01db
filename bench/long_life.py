"""Long life: the server's resident memory over many mixed requests (issue 14: 100,000
requests, growth under 10 MB).

Edits (a character typed into a method and taken back, so the text keeps its size), hovers,
code actions, and other documents opened and closed, over the wire against a fresh server.
RSS is read from /proc after a warm-up (caches, first fixes, allocator pools) and then every
`--every` requests.

    python bench/long_life.py [--requests 100000] [--warm 3000] [--file PATH]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lsp_wire import WireClient  # noqa: E402

DEFAULT_FILE = ROOT / "examples" / "resnet50" / "model.py"
QUIET = {"doctorAtStart": False, "jedi": False}


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+)", status)
    return int(match.group(1)) if match else 0


class Session:
    """A client driving one document: `count` requests, cycling through the kinds."""

    def __init__(self, client: WireClient, text: str, uri: str, seed: int = 3) -> None:
        self.client = client
        self.text = text
        self.uri = uri
        self.rng = random.Random(seed)
        lines = text.split("\n")
        self.targets = [(i, line.find("nn.")) for i, line in enumerate(lines) if "nn." in line]
        # ends of statement lines inside methods: a character is typed there and taken back
        self.typing = [
            (i, len(line))
            for i, line in enumerate(lines)
            if line.startswith("        ") and line.rstrip().endswith(")")
        ]
        self.version = 1
        self.typed: tuple[int, int] | None = None

    def open(self) -> None:
        self.client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": self.uri, "languageId": "python", "version": 1, "text": self.text
                }
            },
        )  # fmt: skip

    def _edit(self) -> None:
        self.version += 1
        if self.typed is None:
            line, col = self.rng.choice(self.typing)
            start = end = {"line": line, "character": col}
            new = " "
            self.typed = (line, col)
        else:
            line, col = self.typed
            start, end = {"line": line, "character": col}, {"line": line, "character": col + 1}
            new = ""
            self.typed = None
        self.client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self.uri, "version": self.version},
                "contentChanges": [{"range": {"start": start, "end": end}, "text": new}],
            },
        )

    def run(self, count: int, offset: int = 0) -> None:
        client = self.client
        for n in range(offset, offset + count):
            kind = n % 10
            if kind < 4:
                self._edit()
            elif kind < 8:
                line, col = self.rng.choice(self.targets)
                position = {"line": line, "character": col}
                client.request(
                    "textDocument/hover", {"textDocument": {"uri": self.uri}, "position": position}
                )
            elif kind == 8:
                line, col = self.rng.choice(self.targets)
                position = {"line": line, "character": col + 1}
                client.request(
                    "textDocument/codeAction",
                    {
                        "textDocument": {"uri": self.uri},
                        "range": {"start": position, "end": position},
                        "context": {"diagnostics": []},
                    },
                )
            else:
                other = f"{self.uri}.other{n % 7}.py"
                client.notify(
                    "textDocument/didOpen",
                    {
                        "textDocument": {
                            "uri": other, "languageId": "python", "version": 1, "text": self.text
                        }
                    },
                )  # fmt: skip
                client.notify("textDocument/didClose", {"textDocument": {"uri": other}})
            client.drain()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--warm", type=int, default=3_000)
    parser.add_argument("--every", type=int, default=20_000, help="print RSS this often")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args(argv)
    text = args.file.read_text()
    client = WireClient()
    try:
        client.initialize(None, QUIET)
        session = Session(client, text, "file:///tmp/mindport_long_life/life.py")
        session.open()
        session.run(args.warm)
        pid = client.proc.pid
        before = rss_kb(pid)
        started = time.perf_counter()
        print(f"after {args.warm:,} requests to warm up: RSS {before / 1024:.1f} MB")
        done = 0
        while done < args.requests:
            step = min(args.every, args.requests - done)
            session.run(step, args.warm + done)
            done += step
            now = rss_kb(pid)
            print(
                f"after {done:,} more requests: RSS {now / 1024:.1f} MB "
                f"({(now - before) / 1024:+.1f} MB), {time.perf_counter() - started:.0f} s"
            )
        after = rss_kb(pid)
    finally:
        client.close()
    print(
        f"long life, {args.file.name} ({len(text.splitlines()):,} lines): {args.requests:,} mixed "
        f"requests (40% edits, 40% hovers, 10% code actions, 10% open+close): RSS "
        f"{before / 1024:.1f} -> {after / 1024:.1f} MB ({(after - before) / 1024:+.1f} MB)"
    )


if __name__ == "__main__":
    main()
