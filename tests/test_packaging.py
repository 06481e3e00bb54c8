"""The built package is the portal: a wheel built from the checkout (pyproject.toml,
setup.cfg) carries the compiled Chinese catalog, the templates, schemas, code lists, option
declarations, migrations and assets, and registers the plugins and DCAT profiles; it carries
none of the tests, the sample exchange platform or the benchmarks."""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    # Built from a copy of what git has (tracked and new files, not the ignored ones), as a
    # clean clone would build it; setuptools' build folder stays out of the checkout.
    out, source = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("source")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            text=True, capture_output=True, check=True).stdout.split("\n")
    for name in filter(None, listed):
        if os.path.isfile(os.path.join(ROOT, name)):
            os.makedirs(source / os.path.dirname(name), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, name), source / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)], capture_output=True, text=True, timeout=300,
        cwd=source, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert done.returncode == 0, done.stderr
    (built,) = list(out.glob("ckanext_lngov-*.whl"))
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_holds_every_runtime_file_and_nothing_else(wheel):
    names = set(wheel.namelist())
    tracked = subprocess.run(["git", "ls-files", "ckanext/lngov"], cwd=ROOT, text=True,
                             capture_output=True, check=True).stdout.split()
    missing = [f for f in tracked if f not in names and not f.endswith(".pyc")]
    assert not missing, missing
    mo = "ckanext/lngov/i18n/zh_Hans_CN/LC_MESSAGES/ckanext-lngov.mo"
    with open(os.path.join(ROOT, mo), "rb") as committed:
        assert wheel.read(mo) == committed.read()
    strays = [n for n in names if n.startswith(("tests/", "sample_platform/", "bench/", "docs/"))
              or "__pycache__" in n or n == "ckanext/__init__.py"]
    assert not strays, strays


def test_the_wheel_registers_the_plugins_and_profiles(wheel):
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parsed = configparser.ConfigParser()
    parsed.read_string(wheel.read(entry_points).decode())
    assert dict(parsed["ckan.plugins"]) == {
        "lngov": "ckanext.lngov.plugin:LngovPlugin",
        "lngov_exchange": "ckanext.lngov.harvest.exchange:LngovExchangeHarvester"}
    assert set(parsed["ckan.rdf.profiles"]) == {"lngov_dcat_ap_3", "lngov_schemaorg"}
