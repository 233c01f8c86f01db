"""Whole-file conversion from torch to MindSpore (`mindport convert`, the editor's "Convert
file to MindSpore" and "fix all" actions)."""

from server.convert.file.driver import (
    ConvertError,
    FileConversion,
    TreeConversion,
    convert_file,
    convert_source,
    convert_tree,
)

__all__ = [
    "ConvertError",
    "FileConversion",
    "TreeConversion",
    "convert_file",
    "convert_source",
    "convert_tree",
]
