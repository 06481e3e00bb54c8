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
  passed, the right password included;
- CSP violations reported by the visitors' browsers (`report-uri`, and the Reporting API's
  `report-to` with its Reporting-Endpoints header on pages served over HTTPS, the only ones
  where browsers use it) to /csp-report, which logs them, at most
  `ckanext.lngov.security.csp_reports_per_minute` from one address;
- a resource view (`/dataset/<id>/resource/<id>/view/<view_id>`) may be framed by any site:
  CKAN's Embed dialog gives other sites its iframe; every other page only by the portal's.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf
from flask import Blueprint, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman

from ckanext.lngov.identity import settings as identity_settings

LOGIN_ENDPOINT = "user.login"
REPORT_PATH = "/csp-report"
REPORT_ENDPOINT = "lngov_security.csp_report"
# The view CKAN's Embed dialog puts in other sites' iframes, under every blueprint that
# serves it (dataset_resource.view, and a dataset type's own).
EMBEDDABLE = re.compile(r"(^|_)resource\.view$")
log = logging.getLogger(__name__)
blueprint = Blueprint("lngov_security", __name__)
csrf.exempt(blueprint)   # browsers post reports without the form's token


def _fields(report: dict[str, Any]) -> dict[str, Any]:
    """One violation's fields, from either shape: report-uri's {"csp-report": {...}} or one
    report of the Reporting API's list ({"type": "csp-violation", "body": {...}})."""
    if "csp-report" in report:
        body = report["csp-report"]
        return {k: body.get(k) for k in ("document-uri", "effective-directive",
                                         "violated-directive", "blocked-uri", "source-file",
                                         "line-number")}
    body = report.get("body") or {}
    return {"document-uri": body.get("documentURL") or report.get("url"),
            "effective-directive": body.get("effectiveDirective"),
            "blocked-uri": body.get("blockedURL"), "source-file": body.get("sourceFile"),
            "line-number": body.get("lineNumber")}


@blueprint.route(REPORT_PATH, methods=["POST"])
def csp_report():
    try:
        data = json.loads(request.get_data(cache=False, as_text=False)[:65536])
    except ValueError:
        return "", 400
    reports = data if isinstance(data, list) else [data]
    for report in reports[:20]:
        if isinstance(report, dict) and report.get("type", "csp-violation") == "csp-violation":
            log.warning("CSP violation from %s: %s", get_remote_address(),
                        json.dumps(_fields(report), ensure_ascii=False)[:2000])
    return "", 204


def _report_to(response):
    # The Reporting API only reports for secure pages; over http report-uri alone.
    policy = response.headers.get("Content-Security-Policy")
    if policy and request.is_secure:
        response.headers["Content-Security-Policy"] = policy + "; report-to csp"
        response.headers["Reporting-Endpoints"] = f'csp="{REPORT_PATH}"'
    return response


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
    # the provider's address in form-action (the sign-out form leads there)
    policy = identity_settings.content_security_policy(tk.config.get("ckanext.lngov.security.csp"))
    app.after_request(_report_to)   # before Talisman's: Flask runs them last registered first
    talisman = Talisman(
        app,
        force_https=False,   # TLS ends at the front (nginx), which redirects
        strict_transport_security=tk.config.get("ckanext.lngov.security.hsts"),
        content_security_policy=policy,
        content_security_policy_report_uri=REPORT_PATH,
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
    app.view_functions[REPORT_ENDPOINT] = limiter.limit(
        f"{tk.config.get('ckanext.lngov.security.csp_reports_per_minute')} per minute",
        key_func=get_remote_address)(app.view_functions[REPORT_ENDPOINT])
    embeddable = re.sub(r"frame-ancestors [^;]*", "frame-ancestors *", policy)
    for endpoint, function in app.view_functions.items():
        if EMBEDDABLE.search(endpoint):
            app.view_functions[endpoint] = talisman(
                frame_options=None, content_security_policy=embeddable)(function)
    return app
