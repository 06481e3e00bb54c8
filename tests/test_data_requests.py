"""Public data requests (data_requests/): a signed-in user asks a department for data; the
request is public and searchable with its status, never with who asked; the department's
editors answer it (answered, opened as an entry, declined with a reason)."""
from __future__ import annotations

import json

import pytest
import requests

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog


def act(action: str, user: str, **data):
    return tk.get_action(action)({"user": user, "ignore_auth": False}, data)


@pytest.fixture(scope="module")
def world(sysadmin_module):
    editor = factories.UserWithToken()
    dept = catalog.department(name="req-dept", title="辽宁省生态环境厅")
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=editor["name"], role="editor")
    entry = catalog.create(sysadmin_module, **catalog.entry(dept["id"], name="req-air"))
    closed = catalog.create(sysadmin_module, **catalog.entry(
        dept["id"], name="req-closed", open_attribute="closed"))
    other = catalog.create(sysadmin_module, **catalog.entry(catalog.department()["id"],
                                                            name="req-other"))
    return dict(editor=editor, dept=dept, entry=entry, closed=closed, other=other)


def test_a_data_request_s_life(world, live_server):
    asker = factories.UserWithToken(fullname="赵六")
    made = act("lngov_data_request_create", asker["name"], owner_org=world["dept"]["name"],
               title="沈阳市逐小时空气质量监测数据", description="用于空气质量研究，CSV，每日更新")
    assert made["state"] == "open" and made["requester"] == asker["name"]
    # public, searchable, without who asked
    for url in (f"{live_server}/api/3/action/lngov_data_request_show?id={made['id']}",
                f"{live_server}/api/3/action/lngov_data_request_list?q=空气质量"):
        answer = requests.get(url, timeout=30)
        assert answer.status_code == 200
        body = json.dumps(answer.json()["result"], ensure_ascii=False)
        assert "沈阳市逐小时空气质量监测数据" in body
        assert asker["name"] not in body and asker["id"] not in body and "赵六" not in body
    found = act("lngov_data_request_list", "", q="空气质量", owner_org=world["dept"]["id"])
    assert found["count"] == 1 and found["results"][0]["id"] == made["id"]
    assert act("lngov_data_request_list", "", q="不存在的词")["count"] == 0
    assert act("lngov_data_request_list", asker["name"], mine=True)["count"] == 1
    # only the department answers; an entry opened for it must be its own and public
    with pytest.raises(tk.NotAuthorized):
        act("lngov_data_request_answer", asker["name"], id=made["id"], state="answered",
            answer="x")
    for wrong in (world["closed"], world["other"]):
        with pytest.raises(tk.ValidationError) as refused:
            act("lngov_data_request_answer", world["editor"]["name"], id=made["id"],
                state="opened", package_id=wrong["id"])
        assert "package_id" in refused.value.error_dict
    opened = act("lngov_data_request_answer", world["editor"]["name"], id=made["id"],
                 state="opened", package_id=world["entry"]["name"], answer="已开放")
    assert opened["state"] == "opened" and opened["package_name"] == "req-air"
    shown = act("lngov_data_request_show", "", id=made["id"])
    assert shown["state"] == "opened" and "requester" not in shown
    assert act("lngov_data_request_list", "", state="opened",
               owner_org=world["dept"]["name"])["count"] == 1


def test_a_declined_request_gives_a_reason(world):
    asker = factories.User()
    made = act("lngov_data_request_create", asker["name"], owner_org=world["dept"]["id"],
               title="企业排污许可明细", description="全部字段")
    with pytest.raises(tk.ValidationError) as refused:
        act("lngov_data_request_answer", world["editor"]["name"], id=made["id"],
            state="declined", answer="涉及商业秘密")
    assert "reason_code" in refused.value.error_dict
    done = act("lngov_data_request_answer", world["editor"]["name"], id=made["id"],
               state="declined", reason_code="commercial-secret", answer="涉及企业商业秘密")
    assert done["state"] == "declined" and done["reason"] == "涉及商业秘密"


def test_a_request_needs_a_signed_in_user_and_its_fields(world, live_server):
    with pytest.raises(tk.NotAuthorized):
        act("lngov_data_request_create", "", owner_org=world["dept"]["id"], title="x",
            description="y")
    answer = requests.post(f"{live_server}/api/3/action/lngov_data_request_create",
                           json={"owner_org": world["dept"]["id"], "title": "x",
                                 "description": "y"}, timeout=30)
    assert answer.status_code == 403
    with pytest.raises(tk.ValidationError) as refused:
        act("lngov_data_request_create", factories.User()["name"], owner_org="nowhere",
            title=" ", description=["not text"])
    assert set(refused.value.error_dict) == {"owner_org", "title", "description"}
    with pytest.raises(tk.ObjectNotFound):
        act("lngov_data_request_show", "", id="not-a-request")


def test_the_pages(world, live_server):
    asker = factories.UserWithToken()
    made = act("lngov_data_request_create", asker["name"], owner_org=world["dept"]["id"],
               title="辽河流域水质断面月报", description="月度，CSV")
    listed = requests.get(f"{live_server}/data-requests", params={"q": "水质断面"}, timeout=30)
    assert listed.status_code == 200 and "辽河流域水质断面月报" in listed.text
    assert asker["name"] not in listed.text
    page = requests.get(f"{live_server}/data-requests/{made['id']}", timeout=30)
    assert page.status_code == 200 and "月度，CSV" in page.text
    assert 'lngov-request-answer-form' not in page.text     # visitors do not answer
    editor_page = requests.get(f"{live_server}/data-requests/{made['id']}", timeout=30,
                               headers={"Authorization": world["editor"]["token"]})
    assert 'lngov-request-answer-form' in editor_page.text
    assert requests.get(f"{live_server}/data-requests/nothing", timeout=30).status_code == 404
    new = requests.get(f"{live_server}/data-requests/new", timeout=30, allow_redirects=False)
    assert new.status_code == 302 and "/user/login" in new.headers["Location"]
    form = requests.get(f"{live_server}/data-requests/new", params={"title": "地下水位"},
                        headers={"Authorization": asker["token"]}, timeout=30)
    assert form.status_code == 200 and 'value="地下水位"' in form.text
    # a search that finds nothing offers a request with the query filled in
    empty = requests.get(f"{live_server}/dataset/", params={"q": "地下水位监测"}, timeout=30)
    assert "lngov-request-offer" in empty.text and "/data-requests/new?title=" in empty.text
    full = requests.get(f"{live_server}/dataset/", timeout=30)
    assert "lngov-request-offer" not in full.text


# --- following (requests.py) -----------------------------------------------------------------

def test_followers_are_mailed_the_answer_and_stay_unknown_to_the_public(
        world, live_server, mailbox):
    asker = factories.UserWithToken(email="asker@example.com")
    follower = factories.UserWithToken(email="follower@example.com", fullname="钱七")
    quitter = factories.UserWithToken(email="quitter@example.com")
    made = act("lngov_data_request_create", asker["name"], owner_org=world["dept"]["id"],
               title="沈阳市噪声监测点位", description="坐标与月均值")
    with pytest.raises(tk.NotAuthorized):
        act("lngov_data_request_follow", "", id=made["id"])
    assert requests.post(f"{live_server}/api/3/action/lngov_data_request_follow",
                         json={"id": made["id"]}, timeout=30).status_code == 403
    with pytest.raises(tk.ObjectNotFound):
        act("lngov_data_request_follow", follower["name"], id="no-such-request")
    for user in (follower, quitter, follower):          # following twice is following once
        done = act("lngov_data_request_follow", user["name"], id=made["id"])
        assert done["following"] is True
    assert done["follower_count"] == 2
    assert act("lngov_data_request_unfollow", quitter["name"],
               id=made["id"])["follower_count"] == 1
    assert act("lngov_data_request_show", follower["name"], id=made["id"])["following"]
    assert not act("lngov_data_request_show", quitter["name"], id=made["id"])["following"]
    mine = act("lngov_data_request_followee_list", follower["name"])
    assert [r["id"] for r in mine["results"]] == [made["id"]] and mine["count"] == 1
    assert act("lngov_data_request_followee_list", quitter["name"])["count"] == 0
    with pytest.raises(tk.NotAuthorized):
        act("lngov_data_request_followee_list", "")
    # the public sees how many follow, never who
    for url in (f"{live_server}/api/3/action/lngov_data_request_show?id={made['id']}",
                f"{live_server}/api/3/action/lngov_data_request_list?q=噪声",
                f"{live_server}/data-requests/{made['id']}",
                f"{live_server}/data-requests?q=噪声"):
        answer = requests.get(url, timeout=30)
        assert answer.status_code == 200
        for secret in (follower["name"], follower["id"], "钱七", "follower@example.com"):
            assert secret not in answer.text
    shown = requests.get(f"{live_server}/api/3/action/lngov_data_request_show",
                         params={"id": made["id"]}, timeout=30).json()["result"]
    assert shown["follower_count"] == 1 and shown["following"] is False
    # the answer reaches the requester and the follower, not the one who stopped
    mailbox.clear()
    act("lngov_data_request_answer", world["editor"]["name"], id=made["id"],
        state="declined", reason_code="commercial-secret", answer="涉及企业点位坐标")
    for address in ("asker@example.com", "follower@example.com"):
        received = mailbox.to(address)
        assert len(received) == 1 and "数据需求未予开放" in received[0].subject
        assert "涉及企业点位坐标" in received[0].body and made["id"] in received[0].body
    assert not mailbox.to("quitter@example.com")
    # each mail goes to one person: followers do not see each other's addresses
    assert all(len(m.recipients) == 1 for m in mailbox.messages)


def test_an_opened_request_mails_the_entry(world, mailbox):
    asker = factories.User(email="opened-asker@example.com")
    made = act("lngov_data_request_create", asker["name"], owner_org=world["dept"]["id"],
               title="大气环境质量日报", description="CSV")
    act("lngov_data_request_answer", world["editor"]["name"], id=made["id"], state="opened",
        package_id=world["entry"]["id"])
    received = mailbox.to("opened-asker@example.com")
    assert len(received) == 1 and "已开放为数据目录" in received[0].subject
    assert "/dataset/req-air" in received[0].body


def test_the_follow_button(world, live_server):
    user = factories.UserWithToken()
    made = act("lngov_data_request_create", user["name"], owner_org=world["dept"]["id"],
               title="公园绿地名录", description="名称、位置、面积")
    page = requests.get(f"{live_server}/data-requests/{made['id']}", timeout=30)
    assert "lngov-request-follow" in page.text and "/user/login?came_from=" in page.text
    signed_in = requests.get(f"{live_server}/data-requests/{made['id']}", timeout=30,
                             headers={"Authorization": user["token"]})
    assert f"/data-requests/{made['id']}/follow" in signed_in.text
    anonymous = requests.post(f"{live_server}/data-requests/{made['id']}/follow", timeout=30,
                              allow_redirects=False)
    assert anonymous.status_code in (302, 400, 403)
