"""The camp server of a live run: ``web.app`` under uvicorn on a loopback port, in a
thread of its own (the stations' HTTP client is blocking; the readers' loop is not held
up by a sync).

The port is bound when the server is made (``OSError`` when it is taken), before
anything is written: a run refused for its port leaves the store as it was.
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from desert_runners.bootstrap import Context
from desert_runners.simulate.devices.base import HOST
from desert_runners.web.app import create_app


class CampServer:
    def __init__(self, context: Context, port: int = 0) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((HOST, port))
        except OSError:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(create_app(context), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="camp-server",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 10.0) -> str:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the camp server did not start on {self.url}")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()
