"""The PyTorch→MindSpore API mapping database: reviewed data files, loader and queries."""

from mapping_db.model import Entry, ParamFact, Target
from mapping_db.store import MappingDB, load_database

__all__ = ["Entry", "MappingDB", "ParamFact", "Target", "load_database"]
