"""Start a worker in any interpreter: `<python> /abs/path/server/runner/worker_boot.py ARGS`.

Run by path, not with `-m server...` (env_probe.py explains why): the interpreter may not have
mindport installed, and a user's `server/` package must not shadow ours. This script drops its
own folder from sys.path, loads `worker_side/` under the private package name
`_mindport_worker`, and hands over to its `main`. Standard library only, Python 3.8 syntax.
"""

import importlib.util
import os
import sys

PACKAGE = "_mindport_worker"


def _load_package():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    folder = os.path.join(here, "worker_side")
    spec = importlib.util.spec_from_file_location(
        PACKAGE, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)
    return importlib.import_module(PACKAGE + ".main")


if __name__ == "__main__":
    sys.exit(_load_package().main(sys.argv[1:]))
