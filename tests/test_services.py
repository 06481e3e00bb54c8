"""The project's service scripts: the test services are up, loopback only, and idempotent."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from ckan.common import config
from sqlalchemy.engine import make_url
from urllib.parse import urlparse

ROOT = Path(__file__).parent.parent


def services(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LNGOV_ENV="test")
    return subprocess.run([str(ROOT / "scripts" / "services.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_status_reports_every_service_up():
    out = services("status").stdout
    for name in ("postgres", "redis", "solr"):
        assert f"{name.ljust(9)} up" in out, out


def test_start_again_leaves_running_services_alone():
    pid_file = ROOT / ".lngov" / "test" / "run" / "solr.pid"
    before = pid_file.read_text()
    result = services("start")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("already running") == 3, result.stderr
    assert pid_file.read_text() == before


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as the kernel writes them) of the sockets listening on port."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}


@pytest.mark.parametrize("url_key", ["sqlalchemy.url", "ckan.redis.url", "solr_url"])
def test_services_listen_on_loopback_only(url_key):
    parsed = make_url(config[url_key]) if url_key == "sqlalchemy.url" else urlparse(config[url_key])
    host = parsed.host if url_key == "sqlalchemy.url" else parsed.hostname
    assert host == "127.0.0.1"
    addresses = listening_addresses(parsed.port)
    assert addresses, f"nothing listens on port {parsed.port}"
    assert addresses <= LOOPBACK, addresses


@pytest.mark.parametrize("args", [[], ["--dev"]], ids=["run", "test"])
def test_install_script_succeeds_in_both_modes(args):
    """`make run` and `make test` both start with scripts/install.sh; it is idempotent."""
    result = subprocess.run(["bash", str(ROOT / "scripts" / "install.sh"), *args],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
