"""Precision and recall of tensor-method detection on the labelled corpus.

The corpus (tests/data/tensor_corpus) labels every method call on a value with whether its
receiver is a torch.Tensor: `# tensor: view permute | other: to`.
Run: python bench/tensor_methods.py [-v]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.analysis.references import LINE_BREAK, find_torch_references  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "tensor_corpus"
LABEL = re.compile(r"#\s*(?:tensor:(?P<t>[\w\s]*?))?\s*(?:\|?\s*other:(?P<o>[\w\s]*))?\s*$")


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    labelled_tensor: int = 0
    labelled_other: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.labelled_tensor if self.labelled_tensor else 1.0


def labels(line: str) -> tuple[Counter, Counter]:
    if "#" not in line:
        return Counter(), Counter()
    comment = line[line.rindex("#") :]
    match = LABEL.match(comment)
    if not match or not (match.group("t") or match.group("o")):
        return Counter(), Counter()
    return Counter((match.group("t") or "").split()), Counter((match.group("o") or "").split())


def predicted_tensor_calls(source: str) -> dict[int, Counter]:
    lines = LINE_BREAK.split(source)
    found: dict[int, Counter] = {}
    for ref in find_torch_references(source).references:
        if ref.tensor_receiver:
            name = lines[ref.span.line][ref.span.col : ref.span.end_col]
            found.setdefault(ref.span.line, Counter())[name] += 1
    return found


def score_file(path: Path, score: Score) -> None:
    source = path.read_text(encoding="utf-8")
    predicted = predicted_tensor_calls(source)
    for number, line in enumerate(LINE_BREAK.split(source)):
        tensor, other = labels(line)
        score.labelled_tensor += sum(tensor.values())
        score.labelled_other += sum(other.values())
        guess = predicted.get(number, Counter())
        hits = guess & tensor
        score.true_positive += sum(hits.values())
        for name, count in (tensor - guess).items():
            score.false_negative += count
            score.misses.append(f"{path.name}:{number + 1}: {name}")
        for name, count in (guess - tensor).items():
            score.false_positive += count
            score.wrong.append(f"{path.name}:{number + 1}: {name}")


def measure(corpus: Path = CORPUS) -> Score:
    score = Score()
    for path in sorted(corpus.glob("*.py")):
        if path.name != "count_labels.py":
            score_file(path, score)
    return score


def main() -> None:
    score = measure()
    print(
        f"tensor methods on the labelled corpus ({score.labelled_tensor} tensor calls, "
        f"{score.labelled_other} other calls): precision {score.precision:.1%}, "
        f"recall {score.recall:.1%}"
    )
    if "-v" in sys.argv:
        for miss in score.misses:
            print("  missed:", miss)
        for wrong in score.wrong:
            print("  wrong: ", wrong)


if __name__ == "__main__":
    main()
