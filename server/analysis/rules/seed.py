"""Random seeds: mindspore.set_seed."""

from __future__ import annotations

from server.analysis.rules.base import DOCS, Rule, TorchNames

RULES = (
    Rule(
        "seed",
        "seed",
        "random seed",
        "mindspore.set_seed(seed) seeds MindSpore's operators and the dataset pipeline; seed "
        "numpy and random yourself as before.",
        f"{DOCS}/api_python/mindspore/mindspore.set_seed.html",
        TorchNames(
            (
                ("torch.cuda.manual_seed", True),
                ("torch.cuda.manual_seed_all", True),
                ("torch.manual_seed", True),
                ("torch.random.manual_seed", True),
            )
        ),
    ),
)
