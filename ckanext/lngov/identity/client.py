"""The portal as an OpenID Connect relying party of the unified identity (Authlib): the
authorization code flow with PKCE (S256), state and nonce, the ID token checked (signature
by the provider's published keys, issuer, audience, authorized party, expiry, nonce,
at_hash), the claims from the userinfo endpoint for the same subject, and RP-initiated
logout. Every endpoint comes from the provider's discovery document.

Whatever goes wrong is an IdentityError whose `reason` the views turn into a page in the
visitor's language (views.py), never a 500.
"""
from __future__ import annotations

import hmac
import logging
import threading
import time
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from ckanext.lngov.identity.settings import Settings

log = logging.getLogger(__name__)

# Seconds a discovery document and the provider's keys are kept (keys are fetched again at
# once for a token signed by a key not seen yet: the provider rotated them).
METADATA_SECONDS = 300
LEEWAY = 60   # seconds of clock difference allowed on exp / iat
_REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")


class IdentityError(Exception):
    """reason: unavailable (the provider cannot be reached or answers wrongly), state (no
    sign-in under way in this browser, or another one's answer), denied (the visitor
    declined), provider (the provider answered with an error), token (the code was refused:
    replayed, expired, another client's, PKCE), id_token (the ID token failed a check),
    claims (the department claim is not one the portal knows)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def _get_json(settings: Settings, url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.timeout)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise IdentityError("unavailable", f"{url}: {error}") from error


def _kept(key: str, fetch, force: bool = False) -> dict[str, Any]:
    with _lock:
        found = _cache.get(key)
        if found and not force and time.monotonic() - found[0] < METADATA_SECONDS:
            return found[1]
    value = fetch()
    with _lock:
        _cache[key] = (time.monotonic(), value)
    return value


def metadata(settings: Settings) -> dict[str, Any]:
    """The provider's discovery document, checked to be the configured issuer's."""
    def fetch() -> dict[str, Any]:
        found = _get_json(settings, settings.issuer + "/.well-known/openid-configuration")
        if found.get("issuer") != settings.issuer:
            raise IdentityError("unavailable", f"the discovery document names the issuer "
                                f"{found.get('issuer')!r}, not {settings.issuer!r}")
        missing = [key for key in _REQUIRED if not found.get(key)]
        if missing:
            raise IdentityError("unavailable", f"the discovery document lacks {missing}")
        return found
    return _kept("metadata " + settings.issuer, fetch)


def _keys(settings: Settings, force: bool = False) -> KeySet:
    uri = metadata(settings)["jwks_uri"]
    return KeySet.import_key_set(_kept("jwks " + uri, lambda: _get_json(settings, uri), force))


def forget() -> None:
    """Discovery and keys fetched again at the next use (tests, a provider moved)."""
    with _lock:
        _cache.clear()


def _session(settings: Settings, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(settings.client_id, settings.client_secret, scope=settings.scope,
                         redirect_uri=redirect_uri, code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic")


def begin(settings: Settings, redirect_uri: str, ui_locales: str) -> tuple[str, dict[str, str]]:
    """The provider's authorization address, and what the visitor's session keeps until the
    answer comes back (state, nonce, PKCE code verifier)."""
    pending = {"state": generate_token(32), "nonce": generate_token(32),
               "verifier": generate_token(64)}
    url, _ = _session(settings, redirect_uri).create_authorization_url(
        metadata(settings)["authorization_endpoint"], state=pending["state"],
        code_verifier=pending["verifier"], nonce=pending["nonce"], ui_locales=ui_locales)
    return url, pending


def verify_id_token(settings: Settings, id_token: str, nonce: str,
                    access_token: str | None = None, now: float | None = None) -> dict[str, Any]:
    """The ID token's claims once every check passed; IdentityError("id_token") otherwise."""
    meta = metadata(settings)
    registry = JWSRegistry(algorithms=meta.get("id_token_signing_alg_values_supported")
                           or ["RS256"], strict_check_header=False)
    try:
        try:
            token = jwt.decode(id_token, _keys(settings), registry=registry)
        except InvalidKeyIdError:
            token = jwt.decode(id_token, _keys(settings, force=True), registry=registry)
        params: dict[str, Any] = {"nonce": nonce, "client_id": settings.client_id}
        if access_token:
            params["access_token"] = access_token
        claims = CodeIDToken(token.claims, token.header,
                             {"iss": {"essential": True, "values": [settings.issuer]},
                              "aud": {"essential": True, "values": [settings.client_id]}},
                             params)
        claims.validate(now=int(now if now is not None else time.time()), leeway=LEEWAY)
        # A token for several audiences names this client as its authorized party.
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if settings.client_id not in audiences:
            raise IdentityError("id_token", "the ID token is for another client")
    except (JoseError, ValueError) as error:
        raise IdentityError("id_token", f"{type(error).__name__}: {error}") from error
    return dict(claims)


def finish(settings: Settings, answer: dict[str, str], pending: dict[str, str] | None,
           redirect_uri: str) -> tuple[dict[str, Any], str]:
    """The provider's answer at the callback, checked and redeemed: (the subject's claims,
    the ID token, kept for the logout's id_token_hint)."""
    state = answer.get("state") or ""
    if not pending or not state or not hmac.compare_digest(state, pending.get("state", "")):
        raise IdentityError("state", "the answer's state is not the sign-in this browser began")
    meta = metadata(settings)
    # RFC 9207: the answer names its issuer, so another provider's answer is not taken.
    if answer.get("iss") and answer["iss"] != settings.issuer:
        raise IdentityError("provider", f"the answer comes from {answer['iss']}")
    if answer.get("error"):
        reason = "denied" if answer["error"] in ("access_denied", "consent_required",
                                                 "login_required") else "provider"
        raise IdentityError(reason, f"{answer['error']}: {answer.get('error_description', '')}")
    if not answer.get("code"):
        raise IdentityError("provider", "the answer has no code")
    session = _session(settings, redirect_uri)
    try:
        token = session.fetch_token(meta["token_endpoint"], grant_type="authorization_code",
                                    code=answer["code"], code_verifier=pending["verifier"],
                                    timeout=settings.timeout)
    except OAuthError as error:
        raise IdentityError("token", f"{error.error}: {error.description}") from error
    except requests.RequestException as error:
        raise IdentityError("unavailable", str(error)) from error
    if not token.get("id_token"):
        raise IdentityError("token", "the token answer has no ID token")
    claims = verify_id_token(settings, token["id_token"], pending["nonce"],
                             token.get("access_token"))
    try:
        response = session.get(meta["userinfo_endpoint"], timeout=settings.timeout)
        response.raise_for_status()
        userinfo = response.json()
    except (requests.RequestException, ValueError) as error:
        raise IdentityError("unavailable", f"userinfo: {error}") from error
    if userinfo.get("sub") != claims["sub"]:   # OIDC Core 5.3.2: the same subject
        raise IdentityError("id_token", "the userinfo is of another subject")
    return {**userinfo, **claims}, token["id_token"]


def logout_url(settings: Settings, id_token_hint: str | None, post_logout_redirect_uri: str,
               ui_locales: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), or None if it has none."""
    try:
        endpoint = metadata(settings).get("end_session_endpoint")
    except IdentityError as error:
        log.warning("unified identity: no logout at the provider: %s", error)
        return None
    if not endpoint:
        return None
    params = {"client_id": settings.client_id,
              "post_logout_redirect_uri": post_logout_redirect_uri, "ui_locales": ui_locales}
    if id_token_hint:
        params["id_token_hint"] = id_token_hint
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)
