"""A live exchange platform on a free loopback port, served by uvicorn in a thread.

Independent of CKAN: no CKAN fixture, configuration or database is used, so these tests run
with or without CKAN's pytest plugin (and its --ckan-ini)."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
import uvicorn

from sample_platform.app import create_app
from sample_platform.catalog import Catalog

TOKEN = "test-token-a"
OTHER_TOKEN = "test-token-b"


class LiveServer:
    def __init__(self, entries: int = 500, seed: int = 0, demo_entries: bool = True):
        self.catalog = Catalog(entries, seed, demo_entries=demo_entries)
        self.app = create_app(self.catalog, tokens=[TOKEN, OTHER_TOKEN], dcat_page_size=50)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the exchange platform did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    # helpers
    def get(self, path: str, token: str | None = TOKEN, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return requests.get(self.url + path, headers=headers, timeout=30, **kwargs)

    def control(self, action: str, **body) -> requests.Response:
        response = requests.post(f"{self.url}/_control/{action}", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response


@pytest.fixture(scope="session")
def platform():
    server = LiveServer().start()
    yield server
    server.stop()


@pytest.fixture
def fresh_platform():
    """A platform of its own, for tests that change the catalog."""
    server = LiveServer(entries=200, seed=7).start()
    yield server
    server.stop()
