"""Data-parallel training setup: mindspore.communication and msrun."""

from __future__ import annotations

from server.analysis.rules.base import DOCS, Rule, TorchNames

RULES = (
    Rule(
        "distributed",
        "distributed",
        "data-parallel training setup",
        "Initialise with mindspore.communication.init() and "
        "mindspore.set_auto_parallel_context(parallel_mode=ParallelMode.DATA_PARALLEL, "
        "gradients_mean=True); launch one process per device with msrun.",
        f"{DOCS}/api_python/mindspore.communication.html",
        TorchNames(
            (
                ("torch.nn.DataParallel", True),
                ("torch.nn.parallel", False),
                ("torch.distributed.init_process_group", True),
                ("torch.distributed.destroy_process_group", True),
                ("torch.multiprocessing.spawn", True),
            )
        ),
    ),
)
