"""ckanext-harvest's routes that act (delete, clear, refresh, abort) act on POST only, and on
harvest sources only: on a GET, a link or an image on another site would have deleted a
department's entry for its signed-in editor."""
from __future__ import annotations

import pytest
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.lngov import guard

from tests import catalog


@pytest.fixture(scope="module")
def world(sysadmin_module):
    dept = catalog.department(name="routes-dept")
    editor = factories.UserWithToken()
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=editor["name"], role="editor")
    entry = catalog.create(sysadmin_module, **catalog.entry(dept["id"], name="routes-entry"))
    return {"editor": editor, "entry": entry}


def _active(name: str) -> bool:
    model.Session.expire_all()
    return model.Package.get(name).state == "active"


def test_every_acting_route_refuses_a_get(app, world):
    editor = {"Authorization": world["editor"]["token"]}
    rules = [r for r in app.flask_app.url_map.iter_rules() if r.endpoint in guard.ACTING_ROUTES]
    assert {r.endpoint for r in rules} == guard.ACTING_ROUTES
    for rule in rules:
        args = {a: "routes-entry" for a in rule.arguments}
        path = rule.rule
        for arg, value in args.items():
            path = path.replace(f"<{arg}>", value)
        answer = app.get(path, headers=editor, status=405)
        assert "button" in answer.body
    assert _active("routes-entry")


@pytest.mark.parametrize("action", ["harvest_source_delete", "harvest_source_clear"])
def test_a_catalog_entry_is_not_a_harvest_source(world, action):
    from ckan.logic import NotFound

    with pytest.raises(NotFound, match="Harvest source not found"):
        call_action(action, {"user": world["editor"]["name"]}, id=world["entry"]["id"])
    assert _active("routes-entry")
