"""Tensor-method detection against the labelled corpus: the issue's quality targets."""

from __future__ import annotations

import subprocess
import sys

from bench.tensor_methods import CORPUS, measure


def test_corpus_labels_are_complete_and_consistent() -> None:
    out = subprocess.run(
        [sys.executable, str(CORPUS / "count_labels.py"), str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def test_precision_and_recall_targets() -> None:
    score = measure()
    assert score.labelled_tensor >= 400 and score.labelled_other >= 300
    assert score.precision >= 0.98, score.wrong
    assert score.recall >= 0.95, score.misses
