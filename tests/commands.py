"""CKAN's command line as an operator runs it: in a process of its own, with the tests'
configuration, so that it shares no state with the test process."""
from __future__ import annotations

import os
import subprocess
import sys

# The venv's `ckan` script, beside the interpreter running the tests.
CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")


def ckan_command(*args: str) -> list[str]:
    """`ckan -c <the tests' ini> ARGS...` as an argument list."""
    from ckan.common import config

    return [CKAN, "-c", config["__file__"], *args]


def run_ckan(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs `ckan ARGS...` to its end; its output as text."""
    return subprocess.run(ckan_command(*args), capture_output=True, text=True, timeout=timeout)


def run_jobs(timeout: float = 600) -> subprocess.CompletedProcess:
    """CKAN's background worker as `make run` starts it, until the queue is empty
    (`ckan lngov worker --burst`); fails the test if the worker does."""
    done = run_ckan("lngov", "worker", "--burst", timeout=timeout)
    print(done.stdout, done.stderr)  # shown when the test fails
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def work_jobs() -> None:
    """The portal's worker in this process, until the queues are empty: the jobs see this
    process's configuration (a storage a fixture set, say)."""
    from ckanext.lngov import worker

    worker.work(burst=True)
