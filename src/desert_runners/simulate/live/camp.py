"""The camp server of a live run: ``web.app`` under uvicorn on a free loopback port, in
a thread of its own (the stations' HTTP client is blocking; the readers' loop is not
held up by a sync)."""

from __future__ import annotations

import threading
import time

import uvicorn

from desert_runners.bootstrap import Context
from desert_runners.simulate.devices.base import HOST
from desert_runners.simulate.harness import free_port
from desert_runners.web.app import create_app


class CampServer:
    def __init__(self, context: Context, port: int = 0) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(
            create_app(context), host=HOST, port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="camp-server", daemon=True)

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
