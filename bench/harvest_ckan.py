"""The benchmark's hands inside a portal (CKAN_INI), for either configuration:
    python bench/harvest_ckan.py CKAN_INI create URL SOURCE_TYPE CONFIG_JSON
    python bench/harvest_ckan.py CKAN_INI run [WORKERS]
`create` makes a department and the harvest source `bench` (ckanext-harvest 1.6.3's
`source create` fails after creating, and `run-test` cannot run a source twice); `run` runs
one job of it synchronously with the same runner as `ckan lngov harvest`, whichever the
harvester, so both harvesters are timed the same way."""
import sys

from ckan.cli import load_config
from ckan.config.middleware import make_app

ini, command, *args = sys.argv[1:]
app = make_app(load_config(ini))
with app._wsgi_app.test_request_context():
    import ckan.plugins.toolkit as tk

    from ckanext.lngov.harvest import run

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"ignore_auth": True, "user": site_user}
    if command == "create":
        url, source_type, config = args
        org = tk.get_action("organization_create")(dict(context), dict(
            name="bench-org", title="基准测试部门",
            **({"credit_code": "11210000000000001G"} if source_type == "lngov_exchange" else {})))
        tk.get_action("harvest_source_create")(dict(context), {
            "name": "bench", "title": "bench", "url": url, "source_type": source_type,
            "owner_org": org["id"], "frequency": "MANUAL", "config": config})
    else:
        run.run(run.source_by_name_or_id("bench"), workers=int(args[0]) if args else 1)
