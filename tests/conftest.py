"""Fixtures shared by the portal's tests.

The tests run against the real services of LNGOV_ENV=test (PostgreSQL, Redis, Solr 9.10 with
the project's configset), which `make test` starts; nothing is mocked.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest
import requests
from werkzeug.serving import make_server

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.tests import factories

from tests import plugin_loading

if "CKAN_SQLALCHEMY_URL" not in os.environ:
    # config/test.ini names the default test ports; the services' real addresses (and any
    # LNGOV_*_PORT override) come from scripts/lib.sh. Without them a run could reach, and
    # reset, another environment's database.
    pytest.exit("run the tests through `make test` or `scripts/test.sh`, or `source "
                "scripts/lib.sh` with LNGOV_ENV=test first", returncode=4)

# The browser tests' fixtures and helpers, in one place; the SMTP server of the mail tests;
# the unified identity's provider and staff records.
pytest_plugins = ["tests.browser", "tests.mail", "tests.identity"]


# A test's app loads the plugins again (make_app): the same work, made cheaper.
plugin_loading.speed_up()


@pytest.fixture(autouse=True)
def _plugins(request):
    """Every test runs with the portal's plugins (ckan.plugins of config/ckan.ini).

    CKAN's `with_plugins` loads them before each test and unloads them after it. Here they
    stay loaded from one test to the next (loaded again only if something unloaded them),
    and the configuration is restored after each test as `with_plugins` restores it
    (`ckan_config`). A test whose `ckan_config` or `with_plugins` marks change what the
    plugins read when they load gets CKAN's own `with_plugins`.
    """
    node = request.node
    if any(node.iter_markers("ckan_config")) or any(node.iter_markers("with_plugins")):
        request.getfixturevalue("with_plugins")
        return
    if not all(map(plugins.plugin_loaded, toolkit.aslist(toolkit.config.get("ckan.plugins")))):
        plugins.load_all()
    request.getfixturevalue("ckan_config")  # taken after the load: restored to it after


@contextmanager
def portal_plugins() -> Iterator[None]:
    """The portal's plugins, for fixtures broader than one test (with_plugins is per test)."""
    plugins.load_all()
    try:
        yield
    finally:
        plugins.unload_all()


@pytest.fixture(scope="session", autouse=True)
def _database(reset_db):
    """Once a session: a fresh database with every plugin's tables (activity, harvest...).

    CKAN's first reset drops all tables and recreates only its own; the plugins' migrations
    bring theirs back, applied as an operator does (`ckan db pending-migrations --apply`, in
    a process of its own so that it shares no state with the tests). Later resets only
    delete rows, so the tables stay.
    """
    from tests.commands import run_ckan

    with portal_plugins():
        reset_db()
    done = run_ckan("db", "pending-migrations", "--apply")
    assert done.returncode == 0, done.stdout + done.stderr


IDLE_TEST = "test_the_consumers_survive_a_minute_of_idle_queues_where_ckanext_harvest_s_die"


@pytest.fixture(scope="session")
def idle_consumers(request, _database):
    """The portal's two harvest consumers and ckanext-harvest's gather consumer, started when
    the session starts, for the test that they survive a minute of idle queues
    (test_harvest_queue.py): the minute passes while the tests before it run. They wait on
    queues of their own (another site id names other queues), which nothing else fills.

    Yields (ours, stock, monotonic start time)."""
    from ckanext.lngov.harvest import queues
    from tests.commands import ckan_command

    env = dict(os.environ, CKAN_SITE_ID="lngov-idle-consumers")

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen(ckan_command(*args), env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    started = time.monotonic()
    ours = [start("lngov", "harvest-consumer", kind) for kind in queues.KINDS]
    stock = start("harvester", "gather-consumer")
    yield ours, stock, started
    for process in [*ours, stock]:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="session", autouse=True)
def _idle_minute_starts_early(request):
    """Starts `idle_consumers` at the beginning of a session that will run their test."""
    if any(item.name == IDLE_TEST for item in request.session.items):
        request.getfixturevalue("idle_consumers")


@pytest.fixture(scope="module")
def sysadmin_module(reset_db, reset_index):
    """A clean database and index for the module, and a sysadmin to fill them."""
    with portal_plugins():
        reset_db()
        reset_index()
        yield factories.SysadminWithToken()


@pytest.fixture(scope="session")
def live_server(make_app_session) -> Iterator[str]:
    """The portal served over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, make_app_session, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    requests.get(url + "/api/3/action/status_show", timeout=30).raise_for_status()
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def make_app_session():
    """A WSGI app of the portal, with its plugins, for the live server."""
    from ckan.common import config
    from ckan.config.middleware import make_app

    plugins.load_all()
    return make_app(config)
