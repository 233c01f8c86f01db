"""Hand pygls the client's messages straight from the read-ahead queue.

pygls reads stdio through a thread pool: each header line and each body is one trip to a
pool thread and back to the loop. While an analysis runs on another thread, every trip waits
for the GIL at both ends (up to the switch interval each), and a hover needs three of them.
Here the reading thread (server.lsp.read_ahead) has whole messages queued already, so the
loop takes them without leaving its thread; it only waits, on an asyncio event that the
reading thread sets, when nothing is queued.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING, BinaryIO

from pygls.io_ import StdoutWriter, run_async

from server.lsp.read_ahead import ReadAhead

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


class QueuedReader:
    """pygls' AsyncReader over a ReadAhead: no thread hop while messages are queued."""

    def __init__(self, queue: ReadAhead) -> None:
        self._queue = queue
        self._arrived: asyncio.Event | None = None

    def _listen(self) -> asyncio.Event:
        if self._arrived is None:
            loop = asyncio.get_running_loop()
            arrived = asyncio.Event()
            self._arrived = arrived

            def wake() -> None:
                try:
                    loop.call_soon_threadsafe(arrived.set)
                except RuntimeError:  # the loop is closed: the server is exiting
                    pass

            self._queue.on_arrival(wake)
        return self._arrived

    async def _arrival(self) -> None:
        """Wait on the loop until a message is queued (or the stream ends)."""
        arrived = self._listen()
        arrived.clear()
        if not self._queue.ready():
            await arrived.wait()

    async def readline(self) -> bytes:
        # never blocks the loop: a message seen queued may be dropped before it is read
        # (ReadAhead.remove, an early answer), so the read itself must not wait
        while (line := self._queue.readline(block=False)) is None:
            await self._arrival()
        return line

    async def readexactly(self, n: int) -> bytes:
        while (body := self._queue.read(n, block=False)) is None:
            await self._arrival()
        # one turn of the loop per message: callbacks queued meanwhile (an analysis to
        # install, a reply to write) are not held up behind a burst of queued messages
        await asyncio.sleep(0)
        return body


def serve_stdio(server: LanguageServer, queue: ReadAhead, output: BinaryIO) -> None:
    """pygls' stdio server loop (LanguageServer.start_io), reading through QueuedReader."""
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(output))
    try:
        asyncio.run(
            run_async(
                stop_event=server._stop_event,
                reader=QueuedReader(queue),
                protocol=server.protocol,
                logger=log,
                error_handler=server.report_server_error,
            )
        )
    except BrokenPipeError:
        log.error("the connection to the client is lost: shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        queue.on_arrival(None)
        server.shutdown()
