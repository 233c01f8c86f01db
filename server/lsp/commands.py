"""Commands: `mindport.doctor` (the environment report), and the check at server start."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from server.doctor import blocking_problems, format_report_text, run_doctor, status_line

if TYPE_CHECKING:
    from server.lsp.server import MindportServer

log = logging.getLogger(__name__)
DOCTOR = "mindport.doctor"


async def doctor_report(server: MindportServer) -> Any:
    settings = server.settings
    loop = asyncio.get_running_loop()
    # The probes run torch and mindspore in subprocesses (about a second): off the event loop.
    return await loop.run_in_executor(None, run_doctor, settings.python, settings.device)


async def doctor_at_start(server: MindportServer) -> None:
    try:
        report = await doctor_report(server)
    except Exception as exc:  # the check must never take the server down
        log.warning("doctor at start failed: %s", exc)
        server.log_to_client(f"mindport doctor could not run: {exc}", types.MessageType.Warning)
        return
    server.log_to_client(status_line(report))
    blocking = blocking_problems(report)
    if blocking:
        first = blocking[0]
        fix = f" Fix: {first.fix}" if first.fix else ""
        server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Error,
                message=f"mindport: {first.message}.{fix} (run the mindport.doctor command)",
            )
        )


def register(server: MindportServer) -> None:
    # `ls` is left unannotated: pygls resolves the handler's type hints when a client sends
    # `arguments` (VS Code sends []), and MindportServer is only imported for type checkers.
    @server.command(DOCTOR)
    async def doctor(ls, *args: Any) -> dict:  # type: ignore[no-untyped-def]
        report = await doctor_report(ls)
        ls.log_to_client(format_report_text(report))
        return report.to_dict()
