"""Real processes for the tests of the production shapes: the project's scripts (scripts/cloud.sh,
scripts/front.sh) with ports of their own, and CKAN web nodes under uWSGI (config/uwsgi.ini,
as `make run` serves the portal), talking to the test services of LNGOV_ENV=test."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

import requests

import ckan.plugins.toolkit as tk

from ckanext.lngov.serving import cache

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def script(name: str, *args: str, env: dict[str, str]) -> None:
    """scripts/NAME ARGS with ENV over the tests' environment; fails the test with its output."""
    done = subprocess.run(["bash", os.path.join(ROOT, "scripts", name), *args],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"scripts/{name} {' '.join(args)}:\n{done.stdout}{done.stderr}"


def wait_until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds}s")
        time.sleep(0.25)


@contextmanager
def ckan_node(ini: str, port: int | None = None, **env: str) -> Iterator[str]:
    """A CKAN web node under uWSGI on PORT (a free one by default); yields its base URL."""
    port = port or free_port()
    uwsgi = os.path.join(os.path.dirname(sys.executable), "uwsgi")
    process = subprocess.Popen(
        [uwsgi, "--ini", os.path.join(ROOT, "config", "uwsgi.ini"),
         "--http-socket", f"127.0.0.1:{port}", "--processes", "1", "--threads", "4"],
        env={**os.environ, "CKAN_INI": ini, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: process.poll() is None
                   and requests.get(url + "/api/3/action/status_show", timeout=5).ok,
                   120, f"CKAN under uWSGI on {port}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def caching_front(folder: str, *nodes: str) -> Iterator[str]:
    """The caching front (scripts/front.sh) on a free port before the web nodes NODES (their
    base URLs), its files under FOLDER; yields its base URL."""
    port = free_port()
    env = {"LNGOV_FRONT_PORT": str(port),
           "LNGOV_FRONT_UPSTREAMS": " ".join(node.split("//")[1] for node in nodes),
           "LNGOV_FRONT_DIR": os.path.join(folder, "front"),
           "LNGOV_CACHE_GENERATION_FILE": cache.generation_file(),
           "LNGOV_STORAGE_PATH": tk.config["ckan.storage_path"]}
    script("front.sh", "start", env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        script("front.sh", "stop", env=env)


def api(url: str, action: str, token: str | None = None, /, **data: Any) -> dict[str, Any]:
    """A call of CKAN's Action API over HTTP (POST with data, GET without); its result."""
    headers = {"Authorization": token} if token else {}
    if data:
        answer = requests.post(f"{url}/api/3/action/{action}", json=data, headers=headers,
                               timeout=60)
    else:
        answer = requests.get(f"{url}/api/3/action/{action}", headers=headers, timeout=60)
    assert answer.ok, f"{action}: {answer.status_code} {answer.text[:500]}"
    return answer.json()["result"]
