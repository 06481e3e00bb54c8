"""Self-registration confirmed by e-mail (accounts.py), through CKAN's own register form over
real HTTP, the confirmation mail read from a real SMTP server; the registration profile
(organization, 统一社会信用代码, phone: sysadmins only) and the consent to the privacy
notice. Registration is on, as the portal runs (config/ckan.ini, which config/test.ini
keeps)."""
from __future__ import annotations

import re

import pytest
import requests

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

tk_asbool = tk.asbool

PASSWORD = "Liaoning-2026-data"


def _csrf(page: str) -> str:
    return re.search(r'name="_csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1) \
        if 'name="_csrf_token"' in page else \
        re.search(r'name="_csrf_token" content="([^"]+)"', page).group(1)


# A valid 统一社会信用代码 (its check character computed by GB 32100-2015), and one altered.
CREDIT_CODE = "91210102MA10T8K3XC"
WRONG_CREDIT_CODE = "91210102MA10T8K3XD"


def _register(base: str, name: str, email: str, prefix: str = "",
              **fields: str) -> requests.Response:
    session = requests.Session()
    form = session.get(f"{base}{prefix}/user/register", timeout=30)
    assert form.status_code == 200
    data = {"_csrf_token": _csrf(form.text), "name": name, "fullname": "李四", "email": email,
            "password1": PASSWORD, "password2": PASSWORD, "privacy_consent": "true", **fields}
    return session.post(f"{base}{prefix}/user/register", timeout=30, allow_redirects=False,
                        data={k: v for k, v in data.items() if v is not None})


def _login(base: str, name: str) -> bool:
    session = requests.Session()
    form = session.get(f"{base}/user/login", timeout=30)
    session.post(f"{base}/user/login", timeout=30, allow_redirects=False, data={
        "_csrf_token": _csrf(form.text), "login": name, "password": PASSWORD})
    return session.get(f"{base}/dashboard/datasets", timeout=30,
                       allow_redirects=False).status_code == 200


def test_a_registration_is_confirmed_by_e_mail(clean_db, live_server, mailbox):
    answer = _register(live_server, "lisi-company", "lisi@example.com")
    assert answer.status_code == 302
    user = model.User.by_name("lisi-company")
    assert user is not None and user.state == "pending"
    assert not _login(live_server, "lisi-company")        # not before the confirmation
    received = mailbox.to("lisi@example.com")
    assert len(received) == 1 and "确认" in received[0].subject
    link = re.search(r"https?://\S+/user/confirm/\S+", received[0].body).group(0)
    path = "/user/confirm/" + link.rsplit("/user/confirm/", 1)[1]
    # a forged or altered link does nothing
    assert requests.get(f"{live_server}{path[:-3]}xyz", timeout=30).status_code == 400
    model.Session.expire_all()
    assert model.User.by_name("lisi-company").state == "pending"
    confirmed = requests.get(f"{live_server}{path}", timeout=30, allow_redirects=False)
    assert confirmed.status_code == 302 and "/user/login" in confirmed.headers["Location"]
    model.Session.expire_all()
    assert model.User.by_name("lisi-company").state == "active"
    assert _login(live_server, "lisi-company")
    # the link again: already active, nothing changes
    again = requests.get(f"{live_server}{path}", timeout=30, allow_redirects=False)
    assert again.status_code == 302


def test_a_link_for_another_address_is_refused(clean_db, live_server, mailbox):
    _register(live_server, "wangwu", "wangwu@example.com")
    link = re.search(r"/user/confirm/\S+", mailbox.to("wangwu@example.com")[0].body).group(0)
    user = model.User.by_name("wangwu")
    user.email = "other@example.com"          # the address changed since the mail
    model.Session.commit()
    assert requests.get(f"{live_server}{link}", timeout=30).status_code == 400
    model.Session.expire_all()
    assert model.User.by_name("wangwu").state == "pending"


def test_accounts_made_by_sysadmins_are_active_at_once(clean_db, mailbox):
    import ckan.plugins.toolkit as tk

    admin = factories.Sysadmin()
    made = tk.get_action("user_create")({"user": admin["name"], "ignore_auth": False}, {
        "name": "made-by-admin", "email": "made@example.com", "password": PASSWORD})
    assert made["state"] == "active" and not mailbox.to("made@example.com")


def test_the_portal_runs_with_registration_on():
    from ckan.common import config

    assert tk_asbool(config.get("ckan.auth.create_user_via_web"))


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", False)
def test_registration_stays_off_where_configured_off(clean_db, live_server):
    assert requests.get(f"{live_server}/user/register", timeout=30).status_code == 403


# --- the registration profile and the privacy notice --------------------------------------

def test_the_profile_is_kept_for_sysadmins_only(clean_db, live_server, mailbox):
    answer = _register(live_server, "zhao-company", "zhao@example.com",
                       organization_name="沈阳某某数据科技有限公司",
                       unified_social_credit_code=CREDIT_CODE.lower(),
                       contact_phone="024-23456789")
    assert answer.status_code == 302, answer.text[-3000:]
    user = model.User.by_name("zhao-company")
    profile = user.plugin_extras["lngov"]
    assert profile["organization"] == "沈阳某某数据科技有限公司"
    assert profile["credit_code"] == CREDIT_CODE            # upper-cased by the rule
    assert profile["phone"] == "024-23456789" and profile["privacy_consent"]
    secrets = ("沈阳某某数据科技有限公司", CREDIT_CODE, "024-23456789")
    # confirmed and signed in, the account's owner sees its own account without them too
    link = re.search(r"/user/confirm/\S+", mailbox.to("zhao@example.com")[0].body).group(0)
    requests.get(f"{live_server}{link}", timeout=30, allow_redirects=False)
    other = factories.UserWithToken()
    for viewer in ({}, {"Authorization": other["token"]}):
        for url in (f"{live_server}/user/zhao-company",
                    f"{live_server}/api/3/action/user_show?id=zhao-company",
                    f"{live_server}/api/3/action/user_show?id=zhao-company"
                    "&include_plugin_extras=true",
                    f"{live_server}/api/3/action/user_list?q=zhao",
                    f"{live_server}/api/3/action/user_autocomplete?q=zhao",
                    f"{live_server}/user/activity/zhao-company",
                    f"{live_server}/api/3/action/user_activity_list?id=zhao-company",
                    f"{live_server}/api/3/action/recently_changed_packages_activity_list"):
            page = requests.get(url, headers=viewer, timeout=30)
            assert page.status_code in (200, 403, 404), url
            assert not [s for s in secrets if s in page.text], url
    admin = factories.Sysadmin()
    shown = call_action("user_show", {"user": admin["name"], "ignore_auth": False},
                        id="zhao-company", include_plugin_extras=True)
    assert shown["plugin_extras"]["lngov"]["credit_code"] == CREDIT_CODE
    # a closed account keeps no profile
    call_action("user_delete", {"user": admin["name"]}, id="zhao-company")
    model.Session.expire_all()
    assert "lngov" not in (model.User.by_name("zhao-company").plugin_extras or {})


@pytest.mark.parametrize("prefix, message", [
    ("", "统一社会信用代码校验码不正确"),
    ("/en", "The check character of this unified social credit code is wrong")])
def test_a_wrong_credit_code_is_a_clear_form_error(clean_db, live_server, mailbox, prefix,
                                                   message):
    answer = _register(live_server, "qian-company", "qian@example.com", prefix=prefix,
                       unified_social_credit_code=WRONG_CREDIT_CODE,
                       contact_phone="not a phone")
    assert answer.status_code == 200
    assert message in answer.text
    assert 'id="field-credit-code"' in answer.text and WRONG_CREDIT_CODE in answer.text
    assert ("024-12345678" in answer.text)                  # the phone's own error
    assert model.User.by_name("qian-company") is None and not mailbox.messages


@pytest.mark.parametrize("prefix, message", [
    ("", "请阅读并同意隐私政策后注册"),
    ("/en", "Read the privacy notice and agree to it to register")])
def test_registration_needs_the_consent_to_the_privacy_notice(clean_db, live_server, mailbox,
                                                              prefix, message):
    form = requests.get(f"{live_server}{prefix}/user/register", timeout=30).text
    assert 'name="privacy_consent"' in form and "/privacy" in form
    answer = _register(live_server, "sun-company", "sun@example.com", prefix=prefix,
                       privacy_consent=None)
    assert answer.status_code == 200 and message in answer.text
    assert model.User.by_name("sun-company") is None and not mailbox.messages
    # the API registers nobody anonymously (ckan.auth.create_user_via_api off), so no
    # account is made without the consent
    api = requests.post(f"{live_server}/api/3/action/user_create", timeout=30, json={
        "name": "sun-api", "email": "sun-api@example.com", "password": PASSWORD})
    assert api.status_code == 403 and model.User.by_name("sun-api") is None


@pytest.mark.parametrize("prefix, heading, words", [
    ("", "隐私政策", ("统一社会信用代码", "保存多久", "您的权利", "privacy@data.ln.gov.cn")),
    ("/en", "Privacy notice", ("unified social credit code", "How long", "Your rights",
                               "privacy@data.ln.gov.cn"))])
def test_the_privacy_notice(live_server, prefix, heading, words):
    page = requests.get(f"{live_server}{prefix}/privacy", timeout=30)
    assert page.status_code == 200 and f"<h1 class=\"page-heading\">{heading}</h1>" in page.text
    assert all(w in page.text for w in words)
    home = requests.get(f"{live_server}{prefix}/", timeout=30).text
    assert f'href="{prefix}/privacy"' in home                # the footer links it
