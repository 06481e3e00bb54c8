"""Where a harvest source's credential lives: the server's configuration, never a record.

The exchange platform sits on the government extranet. Its token must not appear in any API
answer, page, activity, dump or log line, and everything stored with a harvest source (its
config, its dataset, the dataset's activities, the search index) reaches some of those. So
the token is read, per source, from

- the environment variable ``LNGOV_HARVEST_TOKEN_<SOURCE NAME>`` (upper case, every other
  character than a letter or a digit as ``_``), which wins, for secret stores that inject
  the environment; or
- the option ``ckanext.lngov.harvest.token.<source name>`` of ckan.ini
  (config_declaration.yaml),

and a source's config holding a secret key is refused (validate_config). Sources made before
this rule move their secret out with ``ckan lngov move-secrets`` (`make run` does it).
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

import ckan.plugins.toolkit as tk

# Keys a source's config may not hold: they would be stored and shown with it.
SECRET_KEYS = ("token", "password", "secret", "api_key", "apikey")


def option(source_name: str) -> str:
    return f"ckanext.lngov.harvest.token.{source_name}"


def env_var(source_name: str) -> str:
    return "LNGOV_HARVEST_TOKEN_" + re.sub(r"[^A-Za-z0-9]", "_", source_name).upper()


def token(source_name: str) -> str | None:
    """The credential of the source named `source_name`, or None when none is configured."""
    # With a default, CKAN does not look the key up among the declared ones, which cannot
    # match a dynamic key (config_declaration.yaml declares the pattern).
    return os.environ.get(env_var(source_name)) or \
        tk.config.get(option(source_name), None) or None


def secret_keys(config: Any) -> list[str]:
    """The secret keys a parsed source config holds."""
    return [k for k in SECRET_KEYS if isinstance(config, dict) and k in config]


def refuse_secrets(config: dict[str, Any], source_name: str | None = None) -> None:
    """A config that would store a credential is refused, saying where it belongs."""
    found = secret_keys(config)
    if found:
        name = source_name or "<source name>"
        raise ValueError(tk._(
            "The source's configuration may not hold credentials ({keys}): they would be "
            "shown with the source. Set the token in the server's configuration instead: "
            "{option} in ckan.ini or the environment variable {env}.").format(
                keys=", ".join(found), option=option(name), env=env_var(name)))


def missing_message(source_name: str) -> str:
    return tk._("No credential is configured for the harvest source {name}: set {option} in "
                "ckan.ini or the environment variable {env}.").format(
                    name=source_name, option=option(source_name), env=env_var(source_name))


def without_secrets(config_text: str | None) -> tuple[str | None, dict[str, Any]]:
    """(the config with its secret keys removed, the removed keys and values)."""
    try:
        config = json.loads(config_text or "{}")
    except ValueError:
        return config_text, {}
    found = secret_keys(config)
    if not found:
        return config_text, {}
    removed = {k: config.pop(k) for k in found}
    return json.dumps(config, ensure_ascii=False), removed


def move_out(ini_path: str) -> list[str]:
    """Moves the credentials stored in harvest sources (before this rule) into the ini file
    that the server runs with, and removes them from every record that held them: the
    source, its dataset, the dataset's activities and the search index. Returns the names of
    the sources moved; idempotent."""
    from ckan import model
    from ckan.lib.search import rebuild
    from ckanext.harvest.model import HarvestSource
    from sqlalchemy import text

    moved = []
    model.Session.expire_all()   # CKAN's session keeps objects across commits
    for source in model.Session.query(HarvestSource):
        cleaned, removed = without_secrets(source.config)
        pkg = model.Package.get(source.id)
        if not removed or pkg is None:
            continue
        if "token" in removed and not token(pkg.name):
            _set_ini_option(ini_path, option(pkg.name), str(removed["token"]))
            tk.config[option(pkg.name)] = str(removed["token"])
        source.config = cleaned
        if "config" in pkg.extras:
            pkg.extras["config"] = cleaned
        for activity_id, raw in model.Session.execute(text(
                "SELECT id, data FROM activity WHERE object_id = :id"), {"id": pkg.id}):
            try:
                data = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                continue
            package = (data or {}).get("package") if isinstance(data, dict) else None
            if isinstance(package, dict) and ("config" in package or
                                              any(k in package for k in removed)):
                package.pop("config", None)
                for key in removed:
                    package.pop(key, None)
                model.Session.execute(text(
                    "UPDATE activity SET data = :data WHERE id = :id"),
                    {"data": json.dumps(data, ensure_ascii=False), "id": activity_id})
        model.Session.commit()
        rebuild(pkg.id)
        moved.append(pkg.name)
    return moved


def _set_ini_option(path: str, key: str, value: str) -> None:
    """Adds `key = value` at the top of the [app:main] section of the ini file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip() == "[app:main]":
            lines.insert(i + 1, f"# Moved out of the harvest source's record "
                                f"(ckan lngov move-secrets)\n{key} = {value}\n")
            break
    else:
        lines.append(f"\n[app:main]\n{key} = {value}\n")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)
