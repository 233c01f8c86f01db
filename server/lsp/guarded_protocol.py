"""pygls' protocol, hardened: every request gets an answer, whatever arrives.

pygls drops a request whose params do not deserialize (a negative line, a string where a
number belongs) without answering, so the client waits forever; it also serves requests
before `initialize` and drops those after `shutdown` silently. Here those get the errors the
LSP specification names, and anything that is not a JSON-RPC message is logged and skipped.
A request whose `$/cancelRequest` is already queued behind it is answered "cancelled"
without running (server.lsp.read_ahead).

pygls also keeps the future of every notification handled by a generator or coroutine (its
own didOpen/didChange/didClose handlers are generators) in `_request_futures`, under a fresh
uuid nobody removes: about 2 kB per keystroke, for the server's life. They are dropped here
once done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidRequest,
    JsonRpcRequestCancelled,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import RPCNotification, RPCRequest

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RefusedRequest:
    """A request whose message did not deserialize: answered with `error`."""

    id: int | str | None
    method: str
    error: JsonRpcException


def _answerable_id(msg_id: Any) -> int | str | None:
    return msg_id if isinstance(msg_id, int | str) and not isinstance(msg_id, bool) else None


@lru_cache(maxsize=256)
def _is_notification(method: Any) -> bool:
    """An LSP method whose messages carry no id (didOpen, exit, $/cancelRequest...)."""
    if not isinstance(method, str):
        return False
    message_type = types.METHOD_TO_TYPES.get(method, (None,))[0]
    return message_type is not None and "id" not in attrs.fields_dict(message_type)


class GuardedProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False
        self.shutdown_seen = False

    def structure_message(self, data: dict[str, Any]) -> Any:
        is_request = "jsonrpc" in data and "id" in data and "method" in data
        if is_request and _is_notification(data["method"]):
            # pygls would take it for a notification and never answer
            error = JsonRpcInvalidRequest(message=f"{data['method']} is a notification")
            return RefusedRequest(_answerable_id(data["id"]), str(data["method"]), error)
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if is_request:
                return RefusedRequest(_answerable_id(data["id"]), str(data["method"]), exc)
            raise

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        if callback == self._check_handler_result:  # a notification: nobody answers it

            def forget(future: Any, msg_id: Any = msg_id, check: Any = callback) -> None:
                self._request_futures.pop(msg_id, None)
                check(future)

            callback = forget
        super()._execute_handler(msg_id, handler, callback, args, kwargs)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, RefusedRequest):
            log.warning("refused %.100s: %s", message.method, message.error.message)
            self._send_response(message.id, error=message.error.to_response_error())
            return
        if not isinstance(getattr(message, "jsonrpc", None), str):
            log.warning("not a JSON-RPC message, skipped: %.200r", message)
            return
        method = getattr(message, "method", None)
        is_request = isinstance(message, RPCRequest)
        if not self.initialize_seen and method not in (types.INITIALIZE, types.EXIT):
            if is_request:
                error = JsonRpcServerNotInitialized(message=f"{method}: initialize first")
                self._send_response(message.id, error=error.to_response_error())
            elif isinstance(message, RPCNotification):
                log.warning("%.100s before initialize: ignored", method)
            return
        if is_request and self.shutdown_seen and method != types.EXIT:
            error = JsonRpcInvalidRequest(message=f"{method}: the server is shutting down")
            self._send_response(message.id, error=error.to_response_error())
            return
        read_ahead = getattr(self._server, "read_ahead", None)
        if is_request and read_ahead is not None and read_ahead.cancelled(message.id):
            error = JsonRpcRequestCancelled(message=f"{method}: cancelled before it started")
            self._send_response(message.id, error=error.to_response_error())
            return
        if method == types.INITIALIZE:
            self.initialize_seen = True
        elif method == types.SHUTDOWN and is_request:
            self.shutdown_seen = True
        super().handle_message(message)
