"""Process checks the tests share: is a process still running (not a zombie)."""

from __future__ import annotations


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
