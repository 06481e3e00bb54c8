"""Signing in through the unified identity in a real browser, in Chinese and in English: the
login page's 统一身份认证登录, the provider's own login page in the visitor's language, back
at the portal as the right department's editor, an entry published through the form, then
signed out of the portal and the provider both (the provider asks for a password again)."""
from __future__ import annotations

import pytest

from ckan import model

from tests import catalog
from tests.browser import open_page, problems, screenshot, visit
from tests.identity import DRC, PASSWORD, issuer, person
from tests.test_browser_portal import _fill_entry, link_file_and_finish

LANGUAGES = {"zh": "", "en": "/en"}
TEXT = {"zh": {"button": "统一身份认证登录", "provider": "辽宁省统一身份认证平台",
               "sign_out": "是否退出统一身份认证平台？"},
        "en": {"button": "Sign in with the unified identity",
               "provider": "Liaoning unified identity",
               "sign_out": "Sign out of the unified identity service?"}}
pytestmark = pytest.mark.usefixtures("identity_provider")


@pytest.fixture(scope="module")
def department(sysadmin_module):
    return catalog.department(name="ln-drc", title="辽宁省发展和改革委员会",
                              title_en="Development and Reform Commission of Liaoning Province",
                              credit_code=DRC)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_sign_in_through_the_provider_publish_and_sign_out_of_both(
        browser, department, staff, lang):
    prefix, text = LANGUAGES[lang], TEXT[lang]
    record = person(f"browser-{lang}", name="浏览器测试员",
                    departments=[{"department": DRC, "role": "数据填报员"}])
    staff(record)
    page = open_page(browser)
    visit(page, f"{prefix}/user/login")
    button = page.locator("#lngov-identity-login")
    assert button.inner_text().strip() == text["button"]
    screenshot(page, f"identity-login-{lang}")
    button.click()
    page.wait_for_load_state("networkidle")
    # The provider's page, in the visitor's language
    assert page.url.startswith(issuer() + "/interaction/"), page.url
    assert text["provider"] in page.inner_text("h1")
    screenshot(page, f"identity-provider-{lang}")
    page.fill("#username", record["username"])
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"{prefix}/dashboard/datasets"), page.url
    user = model.User.by_name(record["username"])
    assert user is not None and user.fullname == "浏览器测试员"
    # The department's editor: publishes an entry of the department through the form
    name = f"identity-entry-{lang}"
    visit(page, f"{prefix}/dataset/new")
    page.fill("#field-title", f"统一身份认证测试信息库（{lang}）")
    page.click(".slug-preview button")
    page.fill("#field-name", name)
    _fill_entry(page, "101001001/0009" + ("01" if lang == "zh" else "02"))
    page.fill("#field-data_items-0-name", "项目名称")
    page.select_option("#field-data_items-0-data_type", "C")
    page.fill("#field-data_items-0-length", "50")
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    assert f"/dataset/{name}/resource/new" in page.url, page.locator(
        ".error-explanation").all_inner_texts()
    link_file_and_finish(page, name, "http://example.com/identity.csv", "测试数据")
    model.Session.remove()
    entry = model.Package.by_name(name)
    assert entry.owner_org == department["id"] and entry.creator_user_id == user.id
    # Sign out: the portal, then the provider, which asks and sends the visitor back
    page.click("form[action$='/user/_logout'] button")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(issuer() + "/session/end"), page.url
    assert text["sign_out"] in page.inner_text("main")
    page.click("#sign-out")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"{prefix}/user/logged_out_redirect"), page.url
    # Signed out of the provider too: its login page asks for the password again
    visit(page, f"{prefix}/user/login")
    page.click("#lngov-identity-login")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(issuer() + "/interaction/")
    assert page.locator("#password").count() == 1
    assert problems(page) == []
    page.context.close()
