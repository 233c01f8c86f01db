"""Code that runs inside the user's interpreter, next to the user's folder.

`server/runner/worker_boot.py` loads this folder as the package `_mindport_worker` (a private
name), so a user's own `server/` or `mapping_db/` package neither shadows these modules nor is
shadowed by them. Hence: relative imports only, never `server.` or `mapping_db.`; the standard
library at module level, numpy/torch/mindspore inside functions; whatever facts from the
mapping database a request needs (the layer attribute table) come with the request.
"""
