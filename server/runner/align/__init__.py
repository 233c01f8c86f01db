"""`mindport align`: run a torch model and its MindSpore port stage by stage and name the first
layer where they part ways (docs/alignment.md). `run.py` orchestrates, `sides.py` talks to the
two workers, `weights.py` maps the weights, `spec.py` parses what was asked, `text.py` renders,
`factories.py` finds the model factories of a file (for code lenses)."""
