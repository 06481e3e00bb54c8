"""The protections a government site is audited for, from maintained libraries:

- security headers on every answer (Flask-Talisman): Content-Security-Policy with
  frame-ancestors (`ckanext.lngov.security.csp`; the portal loads nothing from other hosts;
  forms may lead to the unified identity's provider, whose sign-out the portal's starts),
  X-Frame-Options, X-Content-Type-Options: nosniff, Referrer-Policy, and HSTS where the
  production settings turn it on;
- cookies HttpOnly and SameSite=Lax, Secure where the settings say so (CKAN's own
  SESSION_COOKIE_* / REMEMBER_COOKIE_* options, which Talisman keeps);
- brute-force protection on login (Flask-Limiter, counted in CKAN's Redis): after
  `ckanext.lngov.login.max_failures` failed logins for one account (or
  `max_failures_per_address` from one address, higher: offices share addresses) within
  `ckanext.lngov.login.window` seconds, the next attempts get a 429 until the window has
  passed, the right password included.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman

from ckanext.lngov.identity import settings as identity_settings

LOGIN_ENDPOINT = "user.login"


def _login_failed(response) -> bool:
    # CKAN answers a successful login with a redirect and a failed one with the form again.
    return response.status_code != 302


def _account() -> str:
    return "login-account:" + (request.form.get("login") or "").strip().lower()


def _too_many() -> str:
    return tk._("Too many failed logins. For your account's safety, wait {minutes} minutes "
                "and try again.").format(
                    minutes=max(1, tk.config.get("ckanext.lngov.login.window") // 60))


def install(app: Any) -> Any:
    # Behind the caching front (or any proxy): the visitor's address, for the throttling per
    # address, from the X-Forwarded-For that the trusted proxies add (werkzeug's ProxyFix).
    proxies = tk.config.get("ckanext.lngov.proxy_count")
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    Talisman(
        app,
        force_https=False,   # TLS ends at the front (nginx), which redirects
        strict_transport_security=tk.config.get("ckanext.lngov.security.hsts"),
        content_security_policy=identity_settings.content_security_policy(
            tk.config.get("ckanext.lngov.security.csp")),
        frame_options="SAMEORIGIN",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=bool(tk.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=True,
        session_cookie_samesite=tk.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
        x_content_type_options=True,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    limiter = Limiter(get_remote_address, app=app, storage_uri=tk.config["ckan.redis.url"],
                      default_limits=[], headers_enabled=False,
                      key_prefix=f"lngov-login:{tk.config.get('ckan.site_id')}")
    window = tk.config.get("ckanext.lngov.login.window")
    view = app.view_functions[LOGIN_ENDPOINT]
    for key, option in ((_account, "ckanext.lngov.login.max_failures"),
                        (get_remote_address, "ckanext.lngov.login.max_failures_per_address")):
        view = limiter.limit(f"{tk.config.get(option)} per {window} second", key_func=key,
                             methods=["POST"], deduct_when=_login_failed,
                             error_message=_too_many)(view)
    app.view_functions[LOGIN_ENDPOINT] = view
    return app
