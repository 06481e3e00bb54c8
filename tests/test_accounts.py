"""Self-registration confirmed by e-mail (accounts.py), through CKAN's own register form over
real HTTP, the confirmation mail read from a real SMTP server."""
from __future__ import annotations

import re

import pytest
import requests

from ckan import model
from ckan.tests import factories

PASSWORD = "Liaoning-2026-data"


def _csrf(page: str) -> str:
    return re.search(r'name="_csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1) \
        if 'name="_csrf_token"' in page else \
        re.search(r'name="_csrf_token" content="([^"]+)"', page).group(1)


def _register(base: str, name: str, email: str) -> requests.Response:
    session = requests.Session()
    form = session.get(f"{base}/user/register", timeout=30)
    assert form.status_code == 200
    return session.post(f"{base}/user/register", timeout=30, allow_redirects=False, data={
        "_csrf_token": _csrf(form.text), "name": name, "fullname": "李四",
        "email": email, "password1": PASSWORD, "password2": PASSWORD})


def _login(base: str, name: str) -> bool:
    session = requests.Session()
    form = session.get(f"{base}/user/login", timeout=30)
    session.post(f"{base}/user/login", timeout=30, allow_redirects=False, data={
        "_csrf_token": _csrf(form.text), "login": name, "password": PASSWORD})
    return session.get(f"{base}/dashboard/datasets", timeout=30,
                       allow_redirects=False).status_code == 200


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", True)
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


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", True)
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


def test_registration_stays_off_where_configured_off(clean_db, live_server):
    assert requests.get(f"{live_server}/user/register", timeout=30).status_code == 403
