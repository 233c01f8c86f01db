"""mindport: a language server and CLI that helps move PyTorch code to MindSpore."""

__version__ = "0.1.0"
