"""A torch layer class passed as a value (`norm_layer=nn.LayerNorm`, `act_layer=nn.GELU`):
whoever calls it later passes torch's arguments. It is written as
- the MindSpore class, when the two take the same arguments;
- `functools.partial(<MindSpore class>, <defaults>)` when only defaults differ (GELU's
  `approximate`);
- an adapter with torch's signature, written once into the port, for the layers below;
- otherwise it stays, with a marker (the later calls' arguments cannot be translated here)."""

from __future__ import annotations

import libcst as cst

from mapping_db.model import Target
from server.convert.call_rewrite import FixRefused, rewrite_call
from server.convert.file.text import expr

# torch class -> (adapter name, adapter code)
ADAPTERS = {
    "torch.nn.LayerNorm": (
        "LayerNormTorchArgs",
        '''

def LayerNormTorchArgs(normalized_shape, eps=1e-05, elementwise_affine=True, bias=True):
    """torch.nn.LayerNorm's arguments, MindSpore's LayerNorm (over the shape's last axes)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    cell = mindspore.nn.LayerNorm(
        shape, begin_norm_axis=-len(shape), begin_params_axis=-len(shape), epsilon=eps
    )
    cell.gamma.requires_grad = elementwise_affine
    cell.beta.requires_grad = elementwise_affine and bias
    return cell
''',
    ),
}


def class_value(target: Target, torch_name: str) -> tuple[str, str | None]:
    """(expression, helper code or None); raises FixRefused when no form is safe."""
    adapter = ADAPTERS.get(torch_name)
    if adapter is not None:
        return adapter[0], adapter[1]
    plain = target.api
    if not (target.rename or target.value_transforms or target.set_args or target.defaults):
        return plain, None
    if target.rename or any(name not in target.defaults for name in target.value_transforms):
        raise FixRefused(
            f"{torch_name} passed as a value: the arguments of its later calls need"
            " translating; pass a function that builds the MindSpore layer"
        )
    call = rewrite_call(f"{torch_name.rsplit('.', 1)[1]}()", target)
    parsed = expr(call.text)
    assert isinstance(parsed, cst.Call)
    keywords = (
        cst.Module([])
        .code_for_node(parsed.with_changes(func=cst.Name("f")))
        .removeprefix("f(")[:-1]
    )
    if not keywords:
        return plain, None
    return f"functools.partial({plain}, {keywords})", None
