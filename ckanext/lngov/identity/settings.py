"""The unified identity's options (config_declaration.yaml), read once and checked at start.

The issuer and the client secret come from the environment first (LNGOV_IDENTITY_ISSUER,
LNGOV_IDENTITY_CLIENT_SECRET: the scripts set them per environment), then from the server's
configuration; never from a record. Everything else is found through the provider's
discovery document (client.py), so no endpoint is configured.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.exceptions import CkanConfigurationException

CAPACITIES = ("member", "editor", "admin")


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_id: str
    client_secret: str
    scope: str
    department_claim: str
    department_map: dict[str, str]   # the provider's department id -> the portal's department
    role_map: dict[str, str]         # the provider's role -> member / editor / admin
    timeout: int


def _pairs(option: str, values: Any) -> dict[str, str]:
    found = {}
    for item in tk.aslist(values):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise CkanConfigurationException(
                f"{option}: '{item}' is not of the form provider-value=portal-value")
        found[key.strip()] = value.strip()
    return found


def read(config: Any = None) -> Settings:
    config = tk.config if config is None else config
    prefix = "ckanext.lngov.identity."
    roles = _pairs(prefix + "role_map", config.get(prefix + "role_map"))
    wrong = sorted({c for c in roles.values() if c not in CAPACITIES})
    if wrong:
        raise CkanConfigurationException(
            f"{prefix}role_map: {', '.join(wrong)} is not a role of a department "
            f"({', '.join(CAPACITIES)})")
    return Settings(
        issuer=(os.environ.get("LNGOV_IDENTITY_ISSUER") or config.get(prefix + "issuer")
                or "").rstrip("/"),
        client_id=config.get(prefix + "client_id") or "",
        client_secret=(os.environ.get("LNGOV_IDENTITY_CLIENT_SECRET")
                       or config.get(prefix + "client_secret") or ""),
        scope=config.get(prefix + "scope") or "openid",
        department_claim=config.get(prefix + "department_claim") or "",
        department_map=_pairs(prefix + "department_map", config.get(prefix + "department_map")),
        role_map=roles,
        timeout=int(config.get(prefix + "timeout") or 10))


def enabled(config: Any = None) -> bool:
    return bool(read(config).issuer)


def check(config: Any) -> None:
    """A misconfiguration stops the start with what to fix (IConfigurable), rather than a
    sign-in that fails later. The provider itself may be down at start: sign-in says so."""
    settings = read(config)
    if not settings.issuer:
        return
    if not settings.issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise CkanConfigurationException(
            f"ckanext.lngov.identity.issuer: {settings.issuer} must be an https address "
            "(plain http only on this machine, for the demo and the tests)")
    if not settings.client_id:
        raise CkanConfigurationException(
            "ckanext.lngov.identity.client_id is empty: the portal's client id at the provider")
    if not settings.client_secret:
        raise CkanConfigurationException(
            "no client secret for the unified identity: set ckanext.lngov.identity.client_secret "
            "in the server's configuration or LNGOV_IDENTITY_CLIENT_SECRET in its environment")
    if "openid" not in settings.scope.split():
        raise CkanConfigurationException(
            "ckanext.lngov.identity.scope must include openid")


def content_security_policy(policy: str, config: Any = None) -> str:
    """The pages' policy (security.py) with the provider's origin as a form's target too:
    the sign-out form's answer redirects to the provider's end-session endpoint, and
    browsers hold a form's redirects to form-action."""
    try:
        issuer = read(config).issuer
    except CkanConfigurationException:
        return policy   # the start stops on it (check)
    if not issuer or not policy:
        return policy
    origin = "/".join(issuer.split("/")[:3])
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    for i, directive in enumerate(directives):
        if directive.split()[0] == "form-action" and origin not in directive.split():
            directives[i] = f"{directive} {origin}"
    return "; ".join(directives)
