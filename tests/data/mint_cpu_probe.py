"""Run a tiny call of one mint API on CPU and print JSON {api: "ok" | error}.

One API per process: after some kernel failures mindspore's runtime fails later calls too.
"""

import json
import sys

import mindspore as ms
import numpy as np
from mindspore import Tensor, mint

ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")
x = Tensor(np.ones((2, 3, 8, 8), np.float32))
logits = Tensor(np.ones((2, 3), np.float32))
labels = Tensor(np.array([0, 1], np.int32))
CALLS = {
    "mindspore.mint.nn.Conv2d": lambda: mint.nn.Conv2d(3, 4, 3)(x),
    "mindspore.mint.nn.BatchNorm2d": lambda: mint.nn.BatchNorm2d(3)(x),
    "mindspore.mint.nn.MaxPool2d": lambda: mint.nn.MaxPool2d(2)(x),
    "mindspore.mint.nn.AdaptiveAvgPool2d": lambda: mint.nn.AdaptiveAvgPool2d(1)(x),
    "mindspore.mint.nn.CrossEntropyLoss": lambda: mint.nn.CrossEntropyLoss()(logits, labels),
    "mindspore.mint.stack": lambda: mint.stack([x, x]),
    "mindspore.mint.randn": lambda: mint.randn(2, 3),
    "mindspore.mint.argmax": lambda: mint.argmax(x),
    "mindspore.mint.cat": lambda: mint.cat([x, x]),
    "mindspore.mint.where": lambda: mint.where(x > 0, x, x),
    "mindspore.mint.flatten": lambda: mint.flatten(x, 1),
    "mindspore.mint.nn.Linear": lambda: mint.nn.Linear(8, 2)(x),
    "mindspore.mint.nn.LogSoftmax": lambda: mint.nn.LogSoftmax(dim=1)(logits),
    "mindspore.mint.nn.SELU": lambda: mint.nn.SELU()(x),
    "mindspore.mint.full": lambda: mint.full((2, 2), 3.0),
    "mindspore.mint.equal": lambda: Tensor(mint.equal(x, x)),
    "mindspore.mint.nn.functional.one_hot": lambda: mint.nn.functional.one_hot(labels.long(), 3),
    "mindspore.mint.nn.functional.embedding": lambda: mint.nn.functional.embedding(
        labels.long(), logits
    ),
    "mindspore.mint.nn.functional.normalize": lambda: mint.nn.functional.normalize(logits),
    # bilinear, the usual mode in real code (nearest has a CPU kernel)
    "mindspore.mint.nn.functional.interpolate": lambda: mint.nn.functional.interpolate(
        x, size=(4, 4), mode="bilinear"
    ),
    "mindspore.mint.nn.functional.layer_norm": lambda: mint.nn.functional.layer_norm(logits, (3,)),
    "mindspore.ops.layer_norm": lambda: ms.ops.layer_norm(logits, (3,)),
    "mindspore.ops.einsum": lambda: ms.ops.einsum("ij,jk->ik", logits, logits.T),
}
results = {}
unknown = [name for name in sys.argv[1:] if name not in CALLS]
if unknown:
    sys.exit(f"no probe call written for {unknown}")
for name in sys.argv[1:]:
    try:
        CALLS[name]().asnumpy()
        results[name] = "ok"
    except Exception as exc:  # noqa: BLE001 - the failure is the finding
        results[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
print(json.dumps(results))
