"""Data requests and registration in a real browser, in Chinese and in English: a user files
a request from a search that found nothing (the query filled in), another user follows it
with the button, the department's editor answers it, the request's page shows the answer and
both are mailed it; a business registers (organization, 统一社会信用代码, phone, consent to
the privacy notice), gets the confirmation mail from the SMTP server, follows its link and
logs in. With axe-core, without CSP or script problems."""
from __future__ import annotations

import re
import uuid

import pytest

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog
from tests.browser import (PASSWORD, PHONE, open_page, problems, screenshot,
                           serious_axe_violations, sideways_scroll, visit)

# A valid 统一社会信用代码 (GB 32100-2015), and one with a wrong check character.
CREDIT_CODE = "91210100MA0QC1234A"
WRONG_CREDIT_CODE = "91210100MA0QC1234B"

LANGUAGES = {
    "zh": {"prefix": "", "nav": "数据需求", "answered": "已答复"},
    "en": {"prefix": "/en", "nav": "Data requests", "answered": "Answered"},
}


@pytest.fixture(scope="module")
def world(sysadmin_module):
    editor = factories.User(password=PASSWORD, image_url="", email="req-editor@sthj.ln.gov.cn")
    asker = factories.User(password=PASSWORD, image_url="", fullname="赵小燕",
                           email="zhao@example.com")
    follower = factories.User(password=PASSWORD, image_url="", email="follower@example.com")
    dept = catalog.department(name="reqb-dept", title="辽宁省生态环境厅", image_url="")
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=editor["name"], role="editor")
    catalog.create(sysadmin_module, **catalog.entry(dept["id"], name="reqb-air"))
    return dict(editor=editor, asker=asker, follower=follower, dept=dept)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_request_from_an_empty_search_is_answered(browser, world, mailbox, lang):
    words = LANGUAGES[lang]
    prefix = words["prefix"]
    query = f"地下水位{lang}监测"
    page = visit(open_page(browser, world["asker"]), f"{prefix}/dataset/?q={query}")
    # the header leads to the data requests
    nav = page.locator(f"header a.nav-link[href='{prefix}/data-requests']")
    assert nav.inner_text().strip() == words["nav"]
    page.click(".lngov-request-offer a")
    page.wait_for_load_state("networkidle")
    assert "/data-requests/new" in page.url
    assert page.input_value("#field-title") == query         # the query filled in
    page.select_option("#field-owner-org", world["dept"]["name"])
    page.fill("#field-description", "逐月的地下水位监测数据，CSV 格式")
    assert problems(page) == [] and serious_axe_violations(page) == []
    screenshot(page, f"data-request-form-{lang}")
    page.click(".lngov-request-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    found = re.search(rf"{prefix}/data-requests/([0-9a-f-]{{36}})$", page.url)
    assert found, page.url
    request_path = f"{prefix}/data-requests/{found.group(1)}"
    assert page.locator("h1").inner_text().startswith(query)
    assert "赵小燕" not in page.locator("main, [role=main], .main").first.inner_text()
    page.context.close()

    # another user follows it
    page = visit(open_page(browser, world["follower"]), request_path)
    page.click(".lngov-request-follow button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".lngov-follower-count").inner_text().strip().endswith("1")
    assert page.locator(".lngov-request-follow form[action$='/unfollow']").count() == 1
    assert problems(page) == []
    page.context.close()

    # the department's editor answers it
    page = visit(open_page(browser, world["editor"]), request_path)
    page.select_option("#field-state", "answered")
    page.fill("#field-answer", "该数据由省水利厅提供，已转交协调，预计下季度开放。")
    assert problems(page) == [] and serious_axe_violations(page) == []
    page.click(".lngov-request-answer-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.context.close()

    # anybody sees the answer on the request's page, and nobody's name
    page = visit(open_page(browser), request_path)
    assert "预计下季度开放" in page.locator(".lngov-request-answer").inner_text()
    assert words["answered"] in page.locator("h1").inner_text()
    assert "赵小燕" not in page.content() and world["asker"]["name"] not in page.content()
    assert problems(page) == [] and serious_axe_violations(page) == []
    screenshot(page, f"data-request-answered-{lang}")
    page.context.close()
    # the requester and the follower got the answer by mail
    for address in ("zhao@example.com", "follower@example.com"):
        assert any("预计下季度开放" in m.body for m in mailbox.to(address)), address

    page = visit(open_page(browser, viewport=PHONE), f"{prefix}/data-requests")
    assert sideways_scroll(page) == 0
    screenshot(page, f"data-requests-{lang}-phone")
    page.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_registration_with_the_profile_and_the_confirmation_mail(browser, world, mailbox,
                                                                 lang):
    prefix = LANGUAGES[lang]["prefix"]
    name = f"biz-{lang}-{uuid.uuid4().hex[:6]}"
    address = f"{name}@example.com"
    page = visit(open_page(browser), f"{prefix}/user/register")
    page.fill("#field-username", name)
    page.fill("#field-fullname", "孙经理")
    page.fill("#field-email", address)
    page.fill("#field-password", PASSWORD)
    page.fill("#field-confirm-password", PASSWORD)
    page.fill("#field-organization-name", "辽宁某某数据科技有限公司")
    page.fill("#field-credit-code", WRONG_CREDIT_CODE)
    page.fill("#field-contact-phone", "024-23456789")
    page.check("#field-privacy-consent")
    assert page.locator(f".lngov-register-consent a[href='{prefix}/privacy']").count() == 1
    assert problems(page) == [] and serious_axe_violations(page) == []
    page.click("#user-register-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    # a wrong check character: the form again, with a clear message, nothing made
    message = ("统一社会信用代码校验码不正确" if lang == "zh" else
               "The check character of this unified social credit code is wrong")
    assert message in page.locator("#user-register-form").inner_text()
    assert not mailbox.to(address)
    screenshot(page, f"register-error-{lang}")
    page.fill("#field-password", PASSWORD)
    page.fill("#field-confirm-password", PASSWORD)
    page.fill("#field-credit-code", CREDIT_CODE)
    page.check("#field-privacy-consent")
    page.click("#user-register-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert problems(page) == []
    screenshot(page, f"register-sent-{lang}")
    received = mailbox.to(address)
    assert len(received) == 1
    link = re.search(r"https?://\S+/user/confirm/\S+", received[0].body).group(0)
    visit(page, link)
    assert "/user/login" in page.url
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.click("form button.btn-primary[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/user/login" not in page.url
    assert page.locator(".account .username, .username").first.inner_text().strip() == "孙经理"
    assert problems(page) == []
    page.context.close()
    model.Session.expire_all()
    user = model.User.by_name(name)
    assert user.state == "active"
    assert user.plugin_extras["lngov"]["credit_code"] == CREDIT_CODE
