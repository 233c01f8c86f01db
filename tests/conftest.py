"""Shared fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mindspore_on_cpu():  # type: ignore[no-untyped-def]
    """The installed mindspore with CPU selected, once per test process.

    ``mindspore.set_device`` may only be called before the first kernel runs, so
    every test module that runs mindspore in-process asks for this fixture.
    """
    import mindspore

    mindspore.set_device("CPU")
    return mindspore
