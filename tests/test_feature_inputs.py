"""The portal's own actions (applications, data requests) refuse bad input field by field,
each field with its own message, whatever the action's code reads it with: every field in
error is named, and only those."""
from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.lngov import workdays
from ckanext.lngov.applications import reasons

from tests import catalog


def act(action: str, user: str, **data: Any) -> Any:
    return tk.get_action(action)({"user": user, "ignore_auth": False}, data)


def refused(action: str, user: str, **data: Any) -> dict[str, list[str]]:
    with pytest.raises(tk.ValidationError) as error:
        act(action, user, **data)
    return error.value.error_dict


def missing() -> list[str]:
    return [tk._("Missing value")]


def at_most(n: int) -> list[str]:
    return [tk._("At most {n} characters").format(n=n)]


def one_of(*values: str) -> list[str]:
    return [tk._("One of: {values}").format(values=", ".join(values))]


@pytest.fixture(scope="module")
def world(sysadmin_module) -> dict[str, Any]:
    admin = sysadmin_module
    editor = factories.User()
    dept = catalog.department(name="in-dept", title="辽宁省统计局")
    call_action("organization_member_create", {"user": admin["name"]}, id=dept["id"],
                username=editor["name"], role="editor")
    entry = catalog.create(admin, **catalog.entry(
        dept["id"], name="in-conditional", open_attribute="conditional",
        open_conditions="经审核可申请使用", format_category="file", format_types=["csv"]))
    resource = call_action("resource_create", {"user": admin["name"]}, package_id=entry["id"],
                           name="a.csv", format="CSV", url="a.csv",
                           upload=FileStorage(io.BytesIO(b"a,b\n1,2\n"), "a.csv",
                                              content_type="text/csv"))
    return {"editor": editor, "dept": dept, "entry": entry, "resource": resource,
            "applicant": factories.User()}


def _application(world: dict[str, Any]) -> dict[str, Any]:
    today = workdays.today()
    return act("lngov_application_create", factories.User()["name"],
               package_id=world["entry"]["id"], purpose="研究",
               period_start=today.isoformat(),
               period_end=(today + datetime.timedelta(days=30)).isoformat())


def test_an_application_s_fields(world, mailbox):
    user = world["applicant"]["name"]
    entry = world["entry"]["id"]
    today = workdays.today()
    assert refused("lngov_application_create", user, package_id=entry, purpose="  ",
                   period_start="2024-13-01", resource_ids="not-a-file, other") == {
        "purpose": missing(), "period_start": [tk._("A date as YYYY-MM-DD")],
        "period_end": missing(), "resource_ids": [tk._("Not files of this entry")]}
    assert refused("lngov_application_create", user, package_id=entry, purpose=5,
                   period_start="2030-02-01", period_end="2030-01-01",
                   resource_ids={"a": 1}) == {
        "purpose": [tk._("Must be text")],
        "period_end": [tk._("The period ends before it starts")],
        "resource_ids": [tk._("Not files of this entry")]}
    assert refused("lngov_application_create", user, package_id=entry, purpose="x" * 2001,
                   period_start="2020-01-01", period_end="2020-02-01",
                   resource_ids=[world["resource"]["id"], 3]) == {
        "purpose": at_most(2000), "period_end": [tk._("The period is over")],
        "resource_ids": [tk._("Not files of this entry")]}
    # what is right passes: one file by id in a form's comma-separated list, text stripped
    made = act("lngov_application_create", user, package_id=entry, purpose=" 研究 ",
               period_start=today.isoformat(), period_end=today.isoformat(),
               resource_ids=world["resource"]["id"])
    assert made["purpose"] == "研究" and made["resource_ids"] == [world["resource"]["id"]]


def test_an_answer_s_fields(world, mailbox):
    editor = world["editor"]["name"]
    app = _application(world)
    yesterday = workdays.today() - datetime.timedelta(days=1)
    assert refused("lngov_application_approve", editor, id=app["id"], conditions=["x"],
                   end_date="tomorrow") == {
        "conditions": [tk._("Must be text")], "end_date": [tk._("A date as YYYY-MM-DD")]}
    assert refused("lngov_application_approve", editor, id=app["id"],
                   end_date=yesterday.isoformat()) == {
        "end_date": [tk._("The end date is past")]}
    assert refused("lngov_application_refuse", editor, id=app["id"], reason_text=" ") == {
        "reason_code": [tk._("A refusal needs a reason")], "reason_text": missing()}
    assert refused("lngov_application_refuse", editor, id=app["id"], reason_code="bored",
                   reason_text="y" * 2001) == {
        "reason_code": one_of(*reasons.codes()), "reason_text": at_most(2000)}
    approved = act("lngov_application_approve", editor, id=app["id"], conditions=" 仅限研究 ")
    assert approved["conditions"] == "仅限研究" and approved["end_date"] == app["period_end"]


def test_the_lists_filters_and_pages(world, mailbox):
    user = world["applicant"]["name"]
    assert refused("lngov_application_list", user, state="lost", limit="many") == {
        "state": one_of("pending", "approved", "refused"),
        "limit": [tk._("Not a valid number")]}
    # a bad offset is said under limit: the page as a whole
    assert refused("lngov_application_list", user, offset="first") == {
        "limit": [tk._("Not a valid number")]}
    assert refused("lngov_data_request_list", "", q="问" * 201, state="lost",
                   limit=[1]) == {
        "q": at_most(200), "state": one_of("open", "answered", "opened", "declined"),
        "limit": [tk._("Not a valid number")]}
    assert refused("lngov_data_request_list", "", q=7) == {"q": at_most(200)}
    assert refused("lngov_data_request_followee_list", user, limit="x", offset="y") == {
        "limit": [tk._("Not a valid number")]}
    # out of range is brought into it
    assert act("lngov_data_request_list", "", limit=-5, offset=-3)["count"] >= 0
    app = _application(world)
    assert [a["id"] for a in act("lngov_application_list", app["applicant"], limit=10**6,
                                 offset=-1)] == [app["id"]]


def test_a_data_request_s_fields(world):
    user = world["applicant"]["name"]
    dept = world["dept"]["id"]
    assert refused("lngov_data_request_create", user, owner_org="nowhere", title=" ",
                   description=["not text"]) == {
        "owner_org": [tk._("Choose a department")], "title": missing(),
        "description": [tk._("Must be text")]}
    assert refused("lngov_data_request_create", user, owner_org=dept, title="题" * 201,
                   description="d" * 2001) == {
        "title": at_most(200), "description": at_most(2000)}
    assert refused("lngov_data_request_create", user, owner_org=dept, title="题" * 2001,
                   description="ok") == {"title": at_most(2000)}
    made = act("lngov_data_request_create", user, owner_org=world["dept"]["name"],
               title=" 企业名录 ", description=" 全部字段 ")
    assert (made["title"], made["description"], made["owner_org"]) == ("企业名录", "全部字段",
                                                                       dept)
    editor = world["editor"]["name"]
    assert refused("lngov_data_request_answer", editor, id=made["id"], state="maybe") == {
        "state": one_of("answered", "opened", "declined"), "answer": missing()}
    assert refused("lngov_data_request_answer", editor, id=made["id"], state="opened") == {
        "package_id": [tk._("A public entry of the department")]}
    assert refused("lngov_data_request_answer", editor, id=made["id"], state="declined",
                   reason_code="bored") == {
        "answer": missing(), "reason_code": [tk._("A refusal needs a reason")]}
    answered = act("lngov_data_request_answer", editor, id=made["id"], state="answered",
                   answer=" 下月开放 ")
    assert answered["answer"] == "下月开放" and answered["state"] == "answered"
