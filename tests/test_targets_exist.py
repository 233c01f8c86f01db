"""Every target the database may pick exists in the installed mindspore (2.10 here)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from mapping_db.store import load_database

SCRIPT = Path(__file__).parent / "data" / "targets_exist.py"
DEVICES = {"CPU", "GPU", "Ascend"}


def missing(apis: list[str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, str(SCRIPT)],
        input=json.dumps(apis),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tempfile.gettempdir(),  # mindspore may write rank_0/ logs into the working folder
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_usable_targets_exist_and_unusable_ones_say_why() -> None:
    db = load_database()
    usable = sorted(
        {
            t.api
            for e in db
            for t in e.targets
            if t.api.startswith("mindspore.") and set(t.not_on) != DEVICES
        }  # fmt: skip
    )
    assert len(usable) > 900
    assert missing(usable) == []
    unusable = [t for e in db for t in e.targets if set(t.not_on) == DEVICES]
    assert unusable and all("Not in mindspore" in t.note for t in unusable)
    # the check itself tells a missing name from a present one
    assert missing(["mindspore.nn.Hsigmoid", "mindspore.nn.HSigmoid"]) == ["mindspore.nn.Hsigmoid"]
