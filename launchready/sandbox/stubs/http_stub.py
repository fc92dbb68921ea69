"""A tiny threaded WSGI server on a free 127.0.0.1 port, the base of every API stand-in."""
from __future__ import annotations

import json
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Response

from launchready.runtime.processes import free_port


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer, as the Google and SaaS APIs the stand-ins replace give."""
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # stand-ins log nothing per request
        pass


class StubServer:
    """Serve `self.wsgi` in a background thread; `start()`/`stop()`, `.base_url`."""

    poll_interval = 0.5   # how often the serving thread checks for stop(); tests that start many servers lower it

    def __init__(self, port: int = 0):
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wsgi(self, environ, start_response):  # pragma: no cover - overridden
        raise NotImplementedError

    def start(self) -> StubServer:
        self.port = self.port or free_port()
        self._server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(self.poll_interval,), daemon=True,
                                        name=f"{type(self).__name__}:{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        self._server = None

    def serve_forever(self) -> None:
        """Foreground mode for `python -m` (the sandbox runs stand-ins as their own processes)."""
        self.port = self.port or free_port()
        make_server("127.0.0.1", self.port, self.wsgi, threaded=True, request_handler=_QuietHandler).serve_forever()

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
