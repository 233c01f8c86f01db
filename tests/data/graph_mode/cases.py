"""Python constructs inside ``Cell.construct`` and how MindSpore 2.10 graph mode treats them.

Every source is a complete module defining ``class Net(nn.Cell)`` whose ``construct(self, x)``
takes a (2, 3) float32 tensor; probe.py compiles and runs it with ``mindspore.jit`` on CPU
(``set_context(mode=GRAPH_MODE)`` gives the same results). README.md lists the errors.

CASES   name -> (bad, good): ``bad`` fails to compile or run in graph mode; ``good`` is the same
        module rewritten the supported way and runs. Positive / negative analyser fixtures.
SILENT  name -> (bad, good): ``bad`` compiles and runs, but behaves differently from PyNative
        (Python side effects happen once at compile time or never); ``good`` is the rewrite.
WORKS   name -> source: constructs one might expect to fail but that compile and run the same
        as in PyNative (default, non-``fullgraph`` jit); the analyser must not flag them.
"""

H = "import mindspore\nfrom mindspore import nn, ops\n\n\n"
HNP = "import mindspore\nimport numpy as np\nfrom mindspore import nn, ops\n\n\n"


CASES: dict[str, tuple[str, str]] = {
    "try_except": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        try:
            y = x * 2
        except ValueError:
            y = x
        return y
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x * 2
        return y
""",
    ),
    "try_finally": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        try:
            y = x * 2
        finally:
            y = x + 1
        return y
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x * 2
        y = x + 1
        return y
""",
    ),
    "yield_in_helper": (
        H
        + """class Net(nn.Cell):
    def scaled(self, x):
        for i in range(3):
            yield x * i

    def construct(self, x):
        out = x
        for y in self.scaled(x):
            out = out + y
        return out
""",
        H
        + """class Net(nn.Cell):
    def scaled(self, x):
        return [x * i for i in range(3)]

    def construct(self, x):
        out = x
        for y in self.scaled(x):
            out = out + y
        return out
""",
    ),
    "yield_from": (
        H
        + """class Net(nn.Cell):
    def inner(self, x):
        yield x
        yield x * 2

    def outer(self, x):
        yield from self.inner(x)

    def construct(self, x):
        out = x
        for y in self.outer(x):
            out = out + y
        return out
""",
        H
        + """class Net(nn.Cell):
    def inner(self, x):
        return (x, x * 2)

    def construct(self, x):
        out = x
        for y in self.inner(x):
            out = out + y
        return out
""",
    ),
    "with_statement": (
        H
        + """class Scope:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Net(nn.Cell):
    def construct(self, x):
        with Scope():
            y = x * 2
        return y
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x * 2
        return y
""",
    ),
    "del_local": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x * 2
        z = y + 1
        del y
        return z
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x * 2
        z = y + 1
        return z
""",
    ),
    "nonlocal": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x

        def bump():
            nonlocal y
            y = y * 2

        bump()
        return y
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x

        def bump(t):
            return t * 2

        y = bump(y)
        return y
""",
    ),
    "async_def": (
        H
        + """class Net(nn.Cell):
    async def construct(self, x):
        return x * 2
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return x * 2
""",
    ),
    "import_in_construct": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        import math

        return x * math.pi
""",
        H
        + """import math


class Net(nn.Cell):
    def construct(self, x):
        return x * math.pi
""",
    ),
    "class_in_construct": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        class Holder:
            scale = 2

        return x * Holder.scale
""",
        H
        + """class Holder:
    scale = 2


class Net(nn.Cell):
    def construct(self, x):
        return x * Holder.scale
""",
    ),
    "walrus": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if (n := x.shape[0]) == 2:
            return x * n
        return x
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        n = x.shape[0]
        if n == 2:
            return x * n
        return x
""",
    ),
    "match_statement": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        match x.shape[0]:
            case 2:
                return x * 2
            case _:
                return x
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if x.shape[0] == 2:
            return x * 2
        return x
""",
    ),
    "set_literal": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        seen = {1, 2}
        if x.shape[0] in seen:
            return x * 2
        return x
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if x.shape[0] in (1, 2):
            return x * 2
        return x
""",
    ),
    "set_comprehension": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        dims = {d for d in x.shape}
        if 2 in dims:
            return x * 2
        return x
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        dims = tuple(d for d in x.shape)
        if 2 in dims:
            return x * 2
        return x
""",
    ),
    "custom_exception": (
        H
        + """class ShapeError(Exception):
    pass


class Net(nn.Cell):
    def construct(self, x):
        if x.shape[0] > 100:
            raise ShapeError("too many rows")
        return x * 2
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if x.shape[0] > 100:
            raise ValueError("too many rows")
        return x * 2
""",
    ),
    "recursion_tensor": (
        H
        + """class Net(nn.Cell):
    def grow(self, x):
        if x.sum() > 100:
            return x
        return self.grow(x * 2)

    def construct(self, x):
        return self.grow(x)
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        while x.sum() <= 100:
            x = x * 2
        return x
""",
    ),
    "list_of_cells": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Dense(3, 3), nn.Dense(3, 3)]

    def construct(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
""",
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3)])

    def construct(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
""",
    ),
    "tuple_of_cells": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = (nn.Dense(3, 3), nn.Dense(3, 3))

    def construct(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
""",
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3)])

    def construct(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
""",
    ),
    "dict_of_cells": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.heads = {"a": nn.Dense(3, 3), "b": nn.Dense(3, 3)}

    def construct(self, x):
        return self.heads["a"](x) + self.heads["b"](x)
""",
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.heads = nn.CellDict({"a": nn.Dense(3, 3), "b": nn.Dense(3, 3)})

    def construct(self, x):
        return self.heads["a"](x) + self.heads["b"](x)
""",
    ),
    "celllist_reversed": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3)])

    def construct(self, x):
        for layer in reversed(self.a):
            x = layer(x)
        return x
""",
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3)])

    def construct(self, x):
        for layer in self.a[::-1]:
            x = layer(x)
        return x
""",
    ),
    "parameter_in_construct": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        w = mindspore.Parameter(ops.ones((2, 3), mindspore.float32), name="w")
        return x * w
""",
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = mindspore.Parameter(ops.ones((2, 3), mindspore.float32), name="w")

    def construct(self, x):
        return x * self.w
""",
    ),
    "lambda_default_loop_var": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        fs = [lambda t, k=k: t * k for k in range(3)]
        return fs[2](x)
""",
        H
        + """class Net(nn.Cell):
    def scale(self, t, k):
        return t * k

    def construct(self, x):
        outs = [self.scale(x, k) for k in range(3)]
        return outs[2]
""",
    ),
    "comprehension_tensor_filter": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        parts = [x * i for i in range(3) if (x * i).sum() > 0]
        return ops.stack(parts).sum(0)
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        parts = ops.stack([x * i for i in range(3)])
        keep = (parts.sum(axis=(1, 2)) > 0).astype(parts.dtype)
        return (parts * keep.reshape(-1, 1, 1)).sum(0)
""",
    ),
}


SILENT: dict[str, tuple[str, str]] = {
    "global_write": (
        H
        + """CALLS = 0


class Net(nn.Cell):
    def construct(self, x):
        global CALLS
        CALLS = CALLS + 1
        return x * 2
""",
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.calls = mindspore.Parameter(mindspore.Tensor(0, mindspore.int32), name="calls")

    def construct(self, x):
        self.calls += 1
        return x * 2
""",
    ),
    "global_mutable_append": (
        H
        + """SEEN = []


class Net(nn.Cell):
    def construct(self, x):
        SEEN.append(x.shape[0])
        return x * 2
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return x * 2, x.shape[0]
""",
    ),
    "self_attr_new": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        self.last = x
        return x * 2
""",
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.last = mindspore.Parameter(ops.zeros((2, 3), mindspore.float32), name="last")

    def construct(self, x):
        ops.assign(self.last, x)
        return x * 2
""",
    ),
    "self_list_append": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.history = []

    def construct(self, x):
        self.history.append(x)
        return x * 2
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return x * 2, x
""",
    ),
    "random_module": (
        H
        + """import random


class Net(nn.Cell):
    def construct(self, x):
        return x * random.random()
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return x * ops.rand((1,))
""",
    ),
    "time_module": (
        H
        + """import time


class Net(nn.Cell):
    def construct(self, x):
        start = time.time()
        y = x * 2
        print("took", time.time() - start)
        return y
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return x * 2
""",
    ),
    "inplace_setitem": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        x[0] = 5.0
        return x * 2
""",
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x.copy()
        y[0] = 5.0
        return y * 2, y
""",
    ),
    "cell_in_construct": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return nn.Dense(3, 3)(x)
""",
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = nn.Dense(3, 3)

    def construct(self, x):
        return self.fc(x)
""",
    ),
    "decorated_nested_def": (
        H
        + """import functools


def twice(f):
    @functools.wraps(f)
    def wrapper(t):
        return f(f(t))

    return wrapper


class Net(nn.Cell):
    def construct(self, x):
        @twice
        def inc(t):
            return t + 1

        return inc(x)
""",
        H
        + """def twice(f):
    def wrapper(t):
        return f(f(t))

    return wrapper


class Net(nn.Cell):
    def construct(self, x):
        def inc(t):
            return t + 1

        inc2 = twice(inc)
        return inc2(x)
""",
    ),
    "functools_wraps_decorator": (
        H
        + """import functools


def twice(f):
    @functools.wraps(f)
    def wrapper(t):
        return f(f(t))

    return wrapper


@twice
def inc(t):
    return t + 1


class Net(nn.Cell):
    def construct(self, x):
        return inc(x)
""",
        H
        + """def twice(f):
    def wrapper(t):
        return f(f(t))

    return wrapper


@twice
def inc(t):
    return t + 1


class Net(nn.Cell):
    def construct(self, x):
        return inc(x)
""",
    ),
}


WORKS: dict[str, str] = {
    "generator_expression": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return sum(x * i for i in range(3))
"""
    ),
    "generator_in_tuple": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        parts = tuple(x * i for i in range(3))
        return ops.stack(parts)
"""
    ),
    "global_read": (
        H
        + """SCALE = 2.0


class Net(nn.Cell):
    def construct(self, x):
        global SCALE
        return x * SCALE
"""
    ),
    "nested_def": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        k = 3

        def inner(t):
            return t * k

        return inner(x)
"""
    ),
    "lambda": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        f = lambda t: t * 2  # noqa: E731
        return f(x)
"""
    ),
    "lambda_default": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        f = lambda t, k=3: t * k  # noqa: E731
        return f(x)
"""
    ),
    "lambda_attr": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.act = lambda t: t * 2

    def construct(self, x):
        return self.act(x)
"""
    ),
    "varargs_signature": (
        H
        + """class Net(nn.Cell):
    def construct(self, *args):
        return args[0] * 2
"""
    ),
    "kwargs_signature": (
        H
        + """class Net(nn.Cell):
    def construct(self, x, **kwargs):
        return x * kwargs.get("scale", 2)
"""
    ),
    "kwonly_signature": (
        H
        + """class Net(nn.Cell):
    def construct(self, x, *, scale=2):
        return x * scale
"""
    ),
    "print_fstring": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        print(f"x is {x} with shape {x.shape}")
        return x * 2
"""
    ),
    "fstring_value": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        name = f"rows_{x.shape[0]}"
        if name == "rows_2":
            return x * 2
        return x
"""
    ),
    "percent_format": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        tag = "rows=%d" % x.shape[0]
        if tag == "rows=2":
            return x * 2
        return x
"""
    ),
    "str_format_method": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        tag = "rows={}".format(x.shape[0])
        if tag == "rows=2":
            return x * 2
        return x
"""
    ),
    "str_methods": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.act = "gelu_new"

    def construct(self, x):
        if self.act.startswith("gelu"):
            return ops.gelu(x)
        return x
"""
    ),
    "str_of_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        s = str(x)
        if len(s) > 0:
            return x * 2
        return x
"""
    ),
    "isinstance_user_class": (
        H
        + """class Block(nn.Cell):
    def construct(self, x):
        return x * 2


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.block = Block()

    def construct(self, x):
        if isinstance(self.block, Block):
            return self.block(x)
        return x
"""
    ),
    "isinstance_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if isinstance(x, mindspore.Tensor):
            return x * 2
        return x
"""
    ),
    "hasattr": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if hasattr(self, "bias"):
            return x + 1
        return x * 2
"""
    ),
    "id_call": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        key = id(x)
        if key > 0:
            return x * 2
        return x
"""
    ),
    "numpy_call": (
        HNP
        + """class Net(nn.Cell):
    def construct(self, x):
        s = np.sum(x.asnumpy())
        return x / s
"""
    ),
    "numpy_constant": (
        HNP
        + """class Net(nn.Cell):
    def construct(self, x):
        w = mindspore.Tensor(np.ones((2, 3), np.float32))
        return x * w
"""
    ),
    "asnumpy": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        a = x.asnumpy()
        return mindspore.Tensor(a * 2)
"""
    ),
    "numpy_method_on_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return mindspore.Tensor(x.numpy() * 2)
"""
    ),
    "item": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        s = x.sum().item()
        return x * s
"""
    ),
    "float_of_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        s = float(x.sum())
        return x * s
"""
    ),
    "int_of_tensor_range": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        n = int(x.sum())
        for _ in range(n):
            x = x + 1
        return x
"""
    ),
    "tolist": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        rows = x.tolist()
        return mindspore.Tensor(rows) * 2
"""
    ),
    "tensor_from_tensor_list": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return mindspore.Tensor([x.sum(), x.mean()])
"""
    ),
    "while_tensor_condition": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        while x.sum() < 100:
            x = x * 2
        return x
"""
    ),
    "while_true_break": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        i = 0
        while True:
            i += 1
            if i > 3:
                break
            x = x * 2
        return x
"""
    ),
    "break_tensor_condition": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        for _ in range(10):
            if x.sum() > 100:
                break
            x = x * 2
        return x
"""
    ),
    "continue_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        for i in range(4):
            if x.sum() > 20:
                continue
            x = x * 2
        return x
"""
    ),
    "for_over_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        out = x[0] * 0
        for row in x:
            out = out + row
        return out
"""
    ),
    "ternary_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        y = x * 2 if x.sum() > 0 else x
        return y
"""
    ),
    "chained_compare_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if 0 < x.sum() < 100:
            return x * 2
        return x
"""
    ),
    "raise_tensor_message": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if x.sum() > 100:
            raise ValueError(f"sum too large: {x.sum()}")
        return x * 2
"""
    ),
    "assert_tensor": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        assert x.sum() > 0, "empty"
        return x * 2
"""
    ),
    "dict_comprehension": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        d = {k: x * i for i, k in enumerate(["a", "b"])}
        return d["a"] + d["b"]
"""
    ),
    "dict_update_items": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        d = {"a": x}
        d.update({"b": x * 2})
        out = x
        for k, v in d.items():
            out = out + v
        return out
"""
    ),
    "dict_get_kwargs_of_attr": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.opts = {"scale": 2.0}

    def construct(self, x):
        return x * self.opts.get("scale", 1.0)
"""
    ),
    "list_append": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        outs = []
        for i in range(3):
            outs.append(x * i)
        return ops.stack(outs)
"""
    ),
    "list_pop_insert": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        xs = [x, x * 2]
        xs.insert(0, x * 3)
        last = xs.pop()
        return last + xs[0]
"""
    ),
    "tuple_aug_assign": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        outs = ()
        for i in range(3):
            outs += (x * i,)
        return ops.stack(outs)
"""
    ),
    "comprehension_const_filter": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        parts = [x * i for i in range(4) if i % 2 == 1]
        return ops.stack(parts).sum(0)
"""
    ),
    "star_unpack_assign": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        first, *rest = (x, x * 2, x * 3)
        return first + rest[0] + rest[1]
"""
    ),
    "star_call": (
        H
        + """class Net(nn.Cell):
    def add(self, a, b):
        return a + b

    def construct(self, x):
        args = (x, x)
        return self.add(*args)
"""
    ),
    "kwargs_call": (
        H
        + """class Net(nn.Cell):
    def scale(self, t, factor=1):
        return t * factor

    def construct(self, x):
        kw = {"factor": 2}
        return self.scale(x, **kw)
"""
    ),
    "sorted_key_lambda": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        parts = sorted([x * 3, x, x * 2], key=lambda t: t.sum())
        return parts[0]
"""
    ),
    "functools_reduce": (
        H
        + """import functools


class Net(nn.Cell):
    def construct(self, x):
        return functools.reduce(lambda a, b: a + b, [x, x, x])
"""
    ),
    "functools_partial": (
        H
        + """import functools


class Net(nn.Cell):
    def construct(self, x):
        f = functools.partial(ops.add, x)
        return f(x)
"""
    ),
    "max_any_all": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        m = max(x.shape)
        if all([x.shape[0] > 0, x.shape[1] > 0]) and any([m > 1]):
            return x * m
        return x
"""
    ),
    "max_of_tensors": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        return max(x.sum(), x.mean()) * x
"""
    ),
    "recursion_constant": (
        H
        + """class Net(nn.Cell):
    def twice(self, x, n):
        if n == 0:
            return x
        return self.twice(x * 2, n - 1)

    def construct(self, x):
        return self.twice(x, 3)
"""
    ),
    "self_attr_assign": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def construct(self, x):
        self.calls = self.calls + 1
        return x * 2
"""
    ),
    "shape_control_flow": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if x.shape[0] == 2:
            return x * 2
        return x
"""
    ),
    "super_construct": (
        H
        + """class Base(nn.Cell):
    def construct(self, x):
        return x + 1


class Net(Base):
    def construct(self, x):
        return super().construct(x) * 2
"""
    ),
    "staticmethod_helper": (
        H
        + """class Net(nn.Cell):
    @staticmethod
    def double(t):
        return t * 2

    def construct(self, x):
        return self.double(x)
"""
    ),
    "property_access": (
        H
        + """class Net(nn.Cell):
    @property
    def scale(self):
        return 2.0

    def construct(self, x):
        return x * self.scale
"""
    ),
    "training_flag": (
        H
        + """class Net(nn.Cell):
    def construct(self, x):
        if self.training:
            return x * 2
        return x
"""
    ),
    "enum_dataclass": (
        H
        + """import dataclasses
import enum


class Mode(enum.Enum):
    TRAIN = 1


@dataclasses.dataclass
class Cfg:
    scale: float = 2.0
    mode: Mode = Mode.TRAIN


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.cfg = Cfg()

    def construct(self, x):
        if self.cfg.mode == Mode.TRAIN:
            return x * self.cfg.scale
        return x
"""
    ),
    "getattr_dynamic": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc0 = nn.Dense(3, 3)
        self.fc1 = nn.Dense(3, 3)

    def construct(self, x):
        for i in range(2):
            x = getattr(self, "fc" + str(i))(x)
        return x
"""
    ),
    "list_of_mixed_cells": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Dense(3, 3), nn.ReLU()]

    def construct(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
"""
    ),
    "celldict": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.heads = nn.CellDict({"a": nn.Dense(3, 3), "b": nn.Dense(3, 3)})

    def construct(self, x):
        return self.heads["a"](x) + self.heads["b"](x)
"""
    ),
    "celldict_items": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.heads = nn.CellDict({"a": nn.Dense(3, 3), "b": nn.Dense(3, 3)})

    def construct(self, x):
        out = x
        for name, head in self.heads.items():
            out = out + head(x)
        return out
"""
    ),
    "celllist_ops": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3), nn.Dense(3, 3)])

    def construct(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x) + i
        x = self.layers[-1](x)
        for layer in self.layers[:2]:
            x = layer(x)
        return x * len(self.layers)
"""
    ),
    "celllist_zip": (
        H
        + """class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3)])
        self.b = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3)])

    def construct(self, x):
        for la, lb in zip(self.a, self.b):
            x = la(x) + lb(x)
        return x
"""
    ),
}
