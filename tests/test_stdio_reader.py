"""pygls reads the client's messages through QueuedReader: straight from the read-ahead queue,
waiting (on the loop, with no thread of its own) only when nothing is queued."""

from __future__ import annotations

import asyncio
import os
import threading

from server.lsp.read_ahead import ReadAhead
from server.lsp.stdio_reader import QueuedReader


def _frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def _message(reader: QueuedReader) -> bytes | None:
    """One message as pygls' run_async reads it: header lines, a blank line, the body."""
    length = 0
    while True:
        line = await reader.readline()
        if not line:
            return None
        if line.startswith(b"Content-Length: "):
            length = int(line.split(b":")[1])
        elif line == b"\r\n" and length:
            return await reader.readexactly(length)


def test_messages_queued_and_arriving_later_are_read_in_order_then_the_end() -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        queue = ReadAhead(stream).start()
        os.write(write_end, _frame(b'{"a": 1}') + _frame(b'{"b": 2}'))

        def later() -> None:  # arrives while the loop waits for it
            threading.Event().wait(0.2)
            os.write(write_end, _frame(b'{"c": 3}'))
            os.close(write_end)

        async def read_all() -> list[bytes | None]:
            reader = QueuedReader(queue)
            threads_before = threading.active_count()
            got = [await _message(reader) for _ in range(2)]
            # the queued ones came without starting a thread (pygls' reader used a pool)
            assert threading.active_count() == threads_before
            threading.Thread(target=later).start()
            got.append(await asyncio.wait_for(_message(reader), timeout=5))
            got.append(await asyncio.wait_for(_message(reader), timeout=5))  # the end
            return got

        assert asyncio.run(read_all()) == [b'{"a": 1}', b'{"b": 2}', b'{"c": 3}', None]


def test_a_message_arriving_after_the_loop_closed_does_not_break_the_reading_thread(
    monkeypatch,
) -> None:
    raised: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        queue = ReadAhead(stream).start()

        async def listen() -> None:
            reader = QueuedReader(queue)
            os.write(write_end, _frame(b"{}"))
            assert await asyncio.wait_for(_message(reader), timeout=5) == b"{}"

        asyncio.run(listen())  # the loop is closed now; its wake-up is still registered
        os.write(write_end, _frame(b'{"late": true}'))
        os.close(write_end)
        queue._thread.join(timeout=5)
        assert not queue._thread.is_alive()  # it read to the end of the stream
        assert raised == []  # without an error on the way (the closed loop's wake-up)
        assert queue.first_body() == b'{"late": true}'


def test_a_queued_message_dropped_before_it_is_read_does_not_block_the_loop() -> None:
    """A message answered early is dropped from the queue (ReadAhead.remove), possibly after
    the loop saw it queued: the read then waits on the loop, which goes on running."""
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        queue = ReadAhead(stream).start()
        os.write(write_end, _frame(b'{"early": 1}'))
        assert queue.first_body() == b'{"early": 1}'
        assert queue.ready()  # what the loop saw ...
        assert queue.remove(lambda bodies: 0)  # ... before the relay dropped it
        assert queue.readline(block=False) is None  # nothing read, nothing waited for

        async def run() -> tuple[bytes | None, list[str]]:
            order: list[str] = []
            reader = QueuedReader(queue)

            async def other_work() -> None:
                await asyncio.sleep(0.05)
                order.append("loop ran")

            def later() -> None:
                threading.Event().wait(0.3)
                order.append("next message")
                os.write(write_end, _frame(b'{"next": 2}'))

            threading.Thread(target=later).start()
            worker = asyncio.create_task(other_work())
            message = await asyncio.wait_for(_message(reader), timeout=5)
            await worker
            return message, order

        message, order = asyncio.run(run())
        os.close(write_end)
        assert message == b'{"next": 2}'
        assert order == ["loop ran", "next message"]
