"""`not_on = ["CPU"]` in the data must match what the installed mindspore does on CPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mapping_db.store import load_database

PROBE = Path(__file__).parent / "data" / "mint_cpu_probe.py"
# mint APIs that do run on CPU with mindspore 2.10 (seen), used by mapped entries
WORKING = ["mindspore.mint.cat", "mindspore.mint.where", "mindspore.mint.flatten",
           "mindspore.mint.nn.Linear"]  # fmt: skip


def test_not_on_cpu_marks_match_the_installed_mindspore(tmp_path: Path) -> None:
    db = load_database()
    # targets marked for CPU alone: kernels missing there (all-device marks are names that do
    # not exist at all, checked by test_targets_exist)
    marked = sorted({t.api for e in db for t in e.targets if t.not_on == ("CPU",)})
    assert len(marked) >= 8
    results: dict[str, str] = {}
    for api in [*marked, *WORKING]:
        out = subprocess.run(
            [sys.executable, str(PROBE), api],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,  # mindspore writes rank_0/ logs into the working folder
        )
        assert out.returncode == 0, out.stderr[-2000:]
        results.update(json.loads(out.stdout.strip().splitlines()[-1]))
    wrongly_marked = [api for api in marked if results[api] == "ok"]
    assert wrongly_marked == []
    assert [api for api in WORKING if results[api] != "ok"] == []
    # and none of the working ones is marked
    assert not set(WORKING) & set(marked)
