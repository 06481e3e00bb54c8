"""Sign-in with the unified identity (ckanext/lngov/identity/) against the real provider of
the tests (node-oidc-provider, scripts/identity.sh), over real HTTP: the first sign-in
creates the account, the next ones find it by subject; the department claim as memberships
and roles, a department left at the provider left at the portal, no claim no change; the
hostile cases (a wrong state, a replayed code, a tampered nonce or PKCE challenge, another
client's code and ID token, an expired or altered ID token, an unknown department or role,
the provider down, the consent declined), each refused with a clear page and nothing
created; the sign-out that ends the provider's session too; a misconfiguration that stops
the start."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess

import pytest
import requests

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.exceptions import CkanConfigurationException
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.lngov.identity import accounts, client, settings as identity_settings
from ckanext.lngov.identity import views as identity_views
from ckanext.lngov.identity.client import IdentityError
from tests import catalog
from tests.commands import ckan_command
from tests.identity import (DOT, DRC, HC, STATS, Visitor, issuer, person, query,
                            site, with_query)

pytestmark = pytest.mark.usefixtures("identity_provider")


@pytest.fixture(scope="module")
def departments(sysadmin_module):
    """The departments the provider's claim names, by their 统一社会信用代码."""
    made = {}
    for name, code in (("ln-drc", DRC), ("ln-stats", STATS), ("ln-hc", HC), ("ln-dot", DOT)):
        made[code] = catalog.department(name=name, title=name, credit_code=code)
    return made


def _accounts_of(sub: str) -> list[model.User]:
    model.Session.remove()
    extras = model.User.plugin_extras[accounts.KEY]
    return model.Session.query(model.User).filter(extras["sub"].astext == sub).all()


def _account(sub: str) -> model.User:
    found = _accounts_of(sub)
    assert len(found) == 1, found
    return found[0]


def _memberships(user: model.User) -> dict[str, str]:
    model.Session.remove()
    return {model.Group.get(group_id).name: capacity
            for group_id, capacity in accounts.current_memberships(model.User.get(user.id)).items()}


def _refused(visitor: Visitor, answer: requests.Response, reason: str, prefix: str = "",
             signed_in: bool = False) -> str:
    """The refused page the answer leads to: its reason and message (never a 500)."""
    assert answer.status_code == 302, answer.status_code
    location = answer.headers["Location"]
    assert location.endswith(f"{prefix}/user/identity/refused/{reason}"), location
    path = location[len(site()):] if location.startswith(site()) else location
    page = visitor.portal.get(visitor.base + path, timeout=30)
    assert page.status_code == identity_views.STATUS[reason]
    assert f'data-reason="{reason}"' in page.text
    assert visitor.signed_in() is signed_in
    return page.text


# --- accounts -------------------------------------------------------------------------------

def test_the_login_page_offers_the_unified_identity_in_both_languages(app):
    assert "统一身份认证登录" in app.get("/user/login").body
    english = app.get("/en/user/login").body
    assert "Sign in with the unified identity" in english
    assert 'href="/en/user/identity/login' in english


def test_the_first_sign_in_creates_the_account_and_the_next_finds_it_by_subject(
        live_server, departments, staff):
    # A local account with the provider's user name is not taken for the person's.
    local = factories.User(name="zhangwei-id", email="other@example.com")
    record = person("zhangwei-id", name="张伟", email="zhangwei-id@fgw.ln.gov.cn",
                    departments=[{"department": DRC, "role": "数据填报员"}])
    staff(record)
    visitor = Visitor(live_server)
    answer = visitor.sign_in("zhangwei-id")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        "/dashboard/datasets"), answer.headers.get("Location")
    assert visitor.signed_in()
    user = _account(record["sub"])
    assert user.id != local["id"] and user.name == "zhangwei-id-2"
    assert (user.fullname, user.email, user.state) == ("张伟", "zhangwei-id@fgw.ln.gov.cn",
                                                      "active")
    assert user.plugin_extras[accounts.KEY] == {"iss": issuer(), "sub": record["sub"]}
    assert _memberships(user) == {"ln-drc": "editor"}
    # The subject is the department's editor: may create its entries.
    assert call_action("package_create", {"user": user.name},
                       **catalog.entry(departments[DRC]["id"]))["owner_org"] \
        == departments[DRC]["id"]
    # The next sign-in, in another browser: the same account, its name and e-mail renewed.
    staff({**record, "name": "张伟伟", "email": "zww@fgw.ln.gov.cn"})
    again = Visitor(live_server)
    assert again.sign_in("zhangwei-id").status_code == 302 and again.signed_in()
    renewed = _account(record["sub"])
    assert renewed.id == user.id
    assert (renewed.fullname, renewed.email) == ("张伟伟", "zww@fgw.ln.gov.cn")


def test_an_account_closed_at_the_portal_is_not_opened_again_by_a_sign_in(
        live_server, departments, staff, sysadmin_module):
    record = person()
    staff(record)
    assert Visitor(live_server).sign_in(record["username"]).status_code == 302
    user = _account(record["sub"])
    call_action("user_delete", {"user": sysadmin_module["name"]}, id=user.id)
    visitor = Visitor(live_server)
    _refused(visitor, visitor.sign_in(record["username"]), "account")
    assert [u.state for u in _accounts_of(record["sub"])] == ["deleted"]


def test_one_account_per_subject_is_the_database_s_rule(live_server, departments, staff):
    from sqlalchemy.exc import IntegrityError   # (only this test meets it)

    record = person()
    staff(record)
    assert Visitor(live_server).sign_in(record["username"]).status_code == 302
    other = model.User.get(factories.User()["id"])
    other.plugin_extras = {accounts.KEY: {"iss": issuer(), "sub": record["sub"]}}
    with pytest.raises(IntegrityError):
        model.Session.commit()
    model.Session.rollback()
    assert len(_accounts_of(record["sub"])) == 1


def test_the_department_claim_sets_departments_and_roles_and_a_department_left_is_left(
        live_server, departments, staff):
    record = person(departments=[{"department": DRC, "role": "数据管理员"},
                                 {"department": STATS, "role": "成员"},
                                 f"{HC}:数据填报员"])
    staff(record)
    assert Visitor(live_server).sign_in(record["username"]).status_code == 302
    user = _account(record["sub"])
    assert _memberships(user) == {"ln-drc": "admin", "ln-stats": "member", "ln-hc": "editor"}
    # At the provider: left the statistics bureau, now an editor at the DRC.
    staff({**record, "departments": [{"department": DRC, "role": "数据填报员"},
                                     f"{HC}:数据填报员"]})
    assert Visitor(live_server).sign_in(record["username"]).status_code == 302
    assert _memberships(user) == {"ln-drc": "editor", "ln-hc": "editor"}
    # An empty list: in no department any more.
    staff({**record, "departments": []})
    assert Visitor(live_server).sign_in(record["username"]).status_code == 302
    assert _memberships(user) == {}


def test_without_the_claim_the_memberships_stay_as_sysadmins_set_them(
        live_server, departments, staff, sysadmin_module):
    record = person()   # a member of the public: no department claim at all
    staff(record)
    assert Visitor(live_server).sign_in(record["username"]).status_code == 302
    user = _account(record["sub"])
    assert _memberships(user) == {}
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=departments[DOT]["id"], username=user.name, role="editor")
    assert Visitor(live_server).sign_in(record["username"]).status_code == 302
    assert _memberships(user) == {"ln-dot": "editor"}


@pytest.mark.parametrize("claim", [
    [{"department": "11210000009999999X", "role": "数据填报员"}],
    [{"department": DRC, "role": "局长"}],
    "not a list",
], ids=["unknown department", "unknown role", "malformed"])
def test_an_unknown_department_or_role_refuses_the_sign_in_and_changes_nothing(
        live_server, departments, staff, claim):
    record = person(departments=claim)
    staff(record)
    visitor = Visitor(live_server)
    text = _refused(visitor, visitor.sign_in(record["username"]), "claims")
    assert "不是本平台已知的部门或角色" in text
    assert _accounts_of(record["sub"]) == []
    # An existing account keeps its memberships when the claim turns unknown.
    staff({**record, "departments": [{"department": DRC, "role": "数据填报员"}]})
    assert Visitor(live_server).sign_in(record["username"]).status_code == 302
    staff(record)
    visitor = Visitor(live_server)
    _refused(visitor, visitor.sign_in(record["username"]), "claims")
    assert _memberships(_account(record["sub"])) == {"ln-drc": "editor"}


# --- the flow's checks ----------------------------------------------------------------------

def test_a_wrong_state_is_refused_and_creates_nothing(live_server, departments, staff):
    record = person()
    staff(record)
    visitor = Visitor(live_server)
    callback = visitor.at_provider(visitor.start(), record["username"])
    _refused(visitor, visitor.back(with_query(callback, state="forged-" + secrets.token_hex(8))),
             "state")
    # Another browser (no sign-in under way there) handed this browser's answer: refused.
    stranger = Visitor(live_server)
    _refused(stranger, stranger.back(callback), "state")
    assert _accounts_of(record["sub"]) == []


def test_a_replayed_code_is_refused(live_server, departments, staff):
    record = person()
    staff(record)
    visitor = Visitor(live_server)
    callback = visitor.at_provider(visitor.start(), record["username"])
    assert visitor.back(callback).status_code == 302 and visitor.signed_in()
    # The same answer again in the same browser: its sign-in is over.
    _refused(visitor, visitor.back(callback), "state", signed_in=True)
    # An attacker's browser begins its own sign-in and hands the portal the used code.
    attacker = Visitor(live_server)
    fresh = query(attacker.start())
    _refused(attacker, attacker.back(with_query(callback, state=fresh["state"])), "token")
    assert len(_accounts_of(record["sub"])) == 1


def test_a_tampered_nonce_is_refused(live_server, departments, staff):
    record = person()
    staff(record)
    visitor = Visitor(live_server)
    url = with_query(visitor.start(), nonce="attacker-" + secrets.token_hex(8))
    _refused(visitor, visitor.back(visitor.at_provider(url, record["username"])), "id_token")
    assert _accounts_of(record["sub"]) == []


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
        b"=").decode()


def test_a_tampered_or_missing_pkce_challenge_is_refused(live_server, departments, staff):
    record = person()
    staff(record)
    visitor = Visitor(live_server)
    url = with_query(visitor.start(), code_challenge=_challenge(secrets.token_urlsafe(48)))
    _refused(visitor, visitor.back(visitor.at_provider(url, record["username"])), "token")
    # Without a challenge the provider refuses to begin (PKCE required); the portal says so.
    visitor = Visitor(live_server)
    url = with_query(visitor.start(), code_challenge=None, code_challenge_method=None)
    _refused(visitor, visitor.back(visitor.at_provider(url, record["username"])), "provider")
    assert _accounts_of(record["sub"]) == []


def test_the_consent_declined_at_the_provider_is_refused_clearly(live_server, departments,
                                                                 staff):
    record = person()
    staff(record)
    visitor = Visitor(live_server)
    callback = visitor.at_provider(visitor.start("/en"), None, cancel=True)
    assert query(callback)["error"] == "access_denied"
    text = _refused(visitor, visitor.back(callback), "denied", prefix="/en")
    assert "The sign-in was cancelled at the unified identity service." in text
    assert _accounts_of(record["sub"]) == []


# --- tokens: another client's, expired, altered ----------------------------------------------

def _code(client_id: str, redirect_uri: str, username: str, nonce: str,
          provider: requests.Session | None = None) -> tuple[str, str]:
    """A real authorization code of the provider for `client_id` (the flow done by hand, as
    another relying party does it), and its PKCE verifier."""
    verifier = secrets.token_urlsafe(48)
    meta = requests.get(issuer() + "/.well-known/openid-configuration", timeout=30).json()
    url = meta["authorization_endpoint"] + "?" + requests.compat.urlencode({
        "client_id": client_id, "response_type": "code", "scope": "openid profile email",
        "redirect_uri": redirect_uri, "state": "s", "nonce": nonce,
        "code_challenge": _challenge(verifier), "code_challenge_method": "S256"})
    visitor = Visitor("")
    if provider is not None:
        visitor.provider = provider
    return query(visitor.at_provider(url, username, until=redirect_uri))["code"], verifier


def _tokens(client_id: str, secret: str, redirect_uri: str, username: str,
            nonce: str) -> dict:
    """A real token answer of the provider for `client_id`."""
    code, verifier = _code(client_id, redirect_uri, username, nonce)
    meta = requests.get(issuer() + "/.well-known/openid-configuration", timeout=30).json()
    tokens = requests.post(meta["token_endpoint"], auth=(client_id, secret), timeout=30, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "code_verifier": verifier})
    assert tokens.status_code == 200, tokens.text
    return tokens.json()


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_an_id_token_for_another_client_expired_or_altered_is_refused(departments, staff):
    record = person()
    staff(record)
    settings = identity_settings.read()
    nonce = secrets.token_hex(8)
    own = _tokens(settings.client_id, settings.client_secret, site() + "/user/identity/callback",
                  record["username"], nonce)
    claims = client.verify_id_token(settings, own["id_token"], nonce, own["access_token"])
    assert claims["sub"] == record["sub"] and claims["aud"] == settings.client_id
    header, payload, signature = own["id_token"].split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=="))
    refused = {
        "expired": dict(id_token=own["id_token"], now=decoded["exp"] + 3600),
        "another nonce": dict(id_token=own["id_token"], nonce="other"),
        "altered payload": dict(id_token=".".join(
            [header, _b64({**decoded, "sub": "someone-else"}), signature])),
        "altered signature": dict(id_token=".".join(
            [header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])),
        "not signed": dict(id_token=".".join([_b64({"alg": "none"}), payload, ""])),
    }
    other = _tokens("lngov-other", "lngov-other-test-secret", "http://other.test/callback",
                    record["username"], nonce)
    refused["another client's"] = dict(id_token=other["id_token"])
    for case, args in refused.items():
        with pytest.raises(IdentityError) as error:
            client.verify_id_token(settings, args["id_token"], args.get("nonce", nonce),
                                   now=args.get("now"))
        assert error.value.reason == "id_token", case
    assert _accounts_of(record["sub"]) == []


def test_another_client_s_code_handed_to_the_portal_is_refused(live_server, departments,
                                                               staff):
    record = person()
    staff(record)
    visitor = Visitor(live_server)
    state = query(visitor.start())["state"]
    # A code the provider gave another relying party (redeemed there or not): the portal's
    # token request names itself, its redirect and its verifier, and is refused.
    code, _ = _code("lngov-other", "http://other.test/callback", record["username"],
                    secrets.token_hex(8), provider=visitor.provider)
    callback = f"{site()}/user/identity/callback?code={code}&state={state}&iss={issuer()}"
    _refused(visitor, visitor.back(callback), "token")
    assert _accounts_of(record["sub"]) == []


# --- the provider down, sign-out, configuration ------------------------------------------------

@pytest.mark.parametrize("prefix,message", [
    ("", "暂时无法连接统一身份认证平台"),
    ("/en", "The unified identity service cannot be reached just now.")])
def test_the_provider_down_gives_a_clear_page_in_the_visitor_s_language(
        live_server, monkeypatch, prefix, message):
    monkeypatch.setenv("LNGOV_IDENTITY_ISSUER", "http://127.0.0.1:9")   # nothing listens
    client.forget()
    visitor = Visitor(live_server)
    answer = visitor.portal.get(f"{live_server}{prefix}/user/identity/login",
                                allow_redirects=False, timeout=30)
    assert message in _refused(visitor, answer, "unavailable", prefix)
    monkeypatch.undo()
    client.forget()


def test_signing_out_ends_the_provider_s_session_too(live_server, departments, staff):
    record = person()
    staff(record)
    visitor = Visitor(live_server)
    assert visitor.sign_in(record["username"]).status_code == 302 and visitor.signed_in()
    # Signed in at the provider: a sign-in from another portal session needs no password.
    elsewhere = Visitor(live_server)
    elsewhere.provider = visitor.provider
    assert elsewhere.at_provider(elsewhere.start(), None).startswith(site())
    out = visitor.portal.get(f"{live_server}/en/user/_logout", allow_redirects=False,
                             timeout=30)
    assert out.status_code == 302
    end = out.headers["Location"]
    assert end.startswith(issuer() + "/session/end?")
    params = query(end)
    assert params["id_token_hint"] and params["ui_locales"] == "en"
    assert params["post_logout_redirect_uri"] == site() + "/en/user/logged_out_redirect"
    assert not visitor.signed_in()
    # The provider asks to confirm (its own form), then sends the visitor back.
    page = visitor.provider.get(end, timeout=30)
    assert "Sign out of the unified identity service?" in page.text
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    done = visitor.provider.post(requests.compat.urljoin(end, action),
                                 data={**form, "logout": "yes"}, allow_redirects=False,
                                 timeout=30)
    assert done.status_code in (302, 303)
    assert done.headers["Location"].startswith(site() + "/en/user/logged_out_redirect")
    # Signed out at the provider too: its login page again.
    again = visitor.provider.get(visitor.start(), timeout=30)
    assert 'name="password"' in again.text


def test_a_misconfiguration_stops_the_start_with_what_to_fix(monkeypatch):
    config = dict(tk.config)
    with pytest.raises(CkanConfigurationException, match="role_map"):
        identity_settings.check({**config, "ckanext.lngov.identity.role_map": "局长=owner"})
    monkeypatch.delenv("LNGOV_IDENTITY_ISSUER")
    with pytest.raises(CkanConfigurationException, match="https"):
        identity_settings.check({**config, "ckanext.lngov.identity.issuer": "http://idp.example"})
    monkeypatch.undo()
    # The server itself, with no client secret anywhere: the command line does not start.
    done = subprocess.run(ckan_command("config", "declaration", "lngov"), capture_output=True,
                          text=True, timeout=300,
                          env=dict(os.environ, LNGOV_IDENTITY_CLIENT_SECRET=""))
    assert done.returncode != 0
    assert "LNGOV_IDENTITY_CLIENT_SECRET" in done.stdout + done.stderr
