"""Print, as JSON, the MindSpore target APIs named on stdin that the installed mindspore lacks."""

import importlib
import json
import sys


def exists(api: str) -> bool:
    parts = api.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except Exception:  # noqa: BLE001 - not a module at this depth; try a shorter prefix
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


print(json.dumps([api for api in json.load(sys.stdin) if not exists(api)]))
