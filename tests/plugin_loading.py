"""Plugin loading made cheaper for the tests, with the same outcome.

CKAN's pytest plugin loads every plugin at the start of each test (`with_plugins`) and
again for each test's app (`make_app` → `load_environment`), and unloads them after: about
1.2 s a test here, most of the suite's time. Three parts of it redo, each time, work whose
answer cannot change during a test session; those are answered once:

- `toolkit.add_template_directory` / `add_public_directory` / `add_resource` find their
  caller's file with `inspect.stack()`, which reads the source of every frame on the stack
  (pytest's stack is 60 frames deep: 0.08 s a call, about 26 calls a load). The caller's
  frame is read directly instead: the same file, so the same paths.
- `plugins.core._get_service` scans every installed distribution's entry points for each
  plugin's name (`importlib.metadata.entry_points`); nothing is installed during a run.
- Each test's app is a new Flask app with a new Jinja environment, which compiled every
  template again at its first use (0.4 s a test's first page). The environments share one
  in-memory bytecode cache: Jinja keys it by template and checks the source's checksum, so
  a changed template is compiled again.
- `yaml.safe_load` of the same text (the plugins' config declarations, scheming's schemas and
  presets, webassets.yml) and `msgspec.yaml.decode` of CKAN's own declarations are parsed
  once; each caller gets its own deep copy.

Nothing here runs in the portal itself; the portal's processes load the plugins once.
"""
from __future__ import annotations

import copy
import functools
import os
import sys

import msgspec.yaml
import yaml
from jinja2 import BytecodeCache

import ckan.lib.jinja_extensions as jinja_extensions
import ckan.plugins.core as plugins_core
import ckan.plugins.toolkit as toolkit


def _caller_file(depth: int) -> str:
    return sys._getframe(depth + 1).f_code.co_filename


def _add_served_directory(config_, relative_path: str, config_var: str) -> str:
    """As ckan/plugins/toolkit.py's own, with the caller found without inspect.stack()."""
    assert config_var in ("plugin_template_paths", "plugin_public_paths")
    # the caller of add_template_directory / add_public_directory, as inspect.stack()[2]
    absolute_path = os.path.join(os.path.dirname(_caller_file(2)), relative_path)
    if absolute_path not in config_.get(config_var, []):
        config_[config_var] = [absolute_path] + config_.get(config_var, [])
    return absolute_path


def _add_resource(path: str, name: str) -> None:
    from ckan.lib.webassets_tools import create_library

    create_library(name, os.path.join(os.path.dirname(_caller_file(1)), path))


_parsed: dict[tuple, object] = {}


def _once(parse):
    def parse_once(stream, **kwargs):
        if kwargs:  # a typed decode: not what the plugins do
            return parse(stream, **kwargs)
        text = stream.read() if hasattr(stream, "read") else stream
        key = (parse, text.encode() if isinstance(text, str) else text)
        if key not in _parsed:
            _parsed[key] = parse(text)
        return copy.deepcopy(_parsed[key])
    return parse_once


class _SharedBytecode(BytecodeCache):
    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_bytecode = _SharedBytecode()
_jinja_env_options = jinja_extensions.get_jinja_env_options


def _jinja_env_options_shared() -> dict:
    return dict(_jinja_env_options(), bytecode_cache=_bytecode)


def speed_up() -> None:
    toolkit._add_served_directory = _add_served_directory
    toolkit.add_resource = _add_resource
    plugins_core.entry_points = functools.lru_cache(maxsize=None)(plugins_core.entry_points)
    yaml.safe_load = _once(yaml.safe_load)
    msgspec.yaml.decode = _once(msgspec.yaml.decode)
    jinja_extensions.get_jinja_env_options = _jinja_env_options_shared
