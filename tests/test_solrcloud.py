"""SolrCloud (scripts/cloud.sh): ZooKeeper and two Solr 9.10 nodes, each a process of its own,
the collection `ckan` with a replica on each, behind the balancer on the solr_url's port, and a
CKAN web node under uWSGI using it with the unchanged configuration (only CKAN_SOLR_URL, as
scripts/lib.sh sets it). A node is killed (SIGKILL) while visitors search: the searches keep
answering; entries written while it is down are found once it is back, on its own replica."""
from __future__ import annotations

import threading
import time

import pytest
import requests

import ckan.plugins.toolkit as tk

from tests import catalog
from tests.cluster import api, ckan_node, free_port, script, wait_until

COLLECTION = "ckan"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    ports = {"LNGOV_SOLR_PORT": free_port(), "LNGOV_SOLR_NODE1_PORT": free_port(),
             "LNGOV_SOLR_NODE2_PORT": free_port(), "LNGOV_ZK_PORT": free_port()}
    env = {k: str(v) for k, v in ports.items()}
    env["LNGOV_CLOUD_DIR"] = str(tmp_path_factory.mktemp("solrcloud"))
    script("cloud.sh", "start", env=env)
    try:
        yield {"env": env,
               "url": f"http://127.0.0.1:{env['LNGOV_SOLR_PORT']}/solr/{COLLECTION}",
               "nodes": {1: f"http://127.0.0.1:{env['LNGOV_SOLR_NODE1_PORT']}/solr",
                         2: f"http://127.0.0.1:{env['LNGOV_SOLR_NODE2_PORT']}/solr"}}
    finally:
        script("cloud.sh", "stop", env=env)


@pytest.fixture(scope="module")
def portal(cloud, sysadmin_module):
    with ckan_node(tk.config["__file__"], CKAN_SOLR_URL=cloud["url"]) as url:
        yield url


def _replicas(cloud) -> dict[int, dict]:
    """node number -> its replica of the collection (state, leader, core name)."""
    status = requests.get(cloud["nodes"][1] + "/admin/collections", timeout=10, params={
        "action": "CLUSTERSTATUS", "wt": "json"}).json()
    shards = status["cluster"]["collections"][COLLECTION]["shards"]
    by_port = {url.split(":")[2].split("/")[0]: n for n, url in cloud["nodes"].items()}
    return {by_port[r["node_name"].split(":")[1].split("_")[0]]: r
            for shard in shards.values() for r in shard["replicas"].values()}


def test_the_collection_has_a_replica_on_each_node(cloud):
    replicas = _replicas(cloud)
    assert sorted(replicas) == [1, 2]
    assert all(r["state"] == "active" for r in replicas.values())
    assert sum(r.get("leader") == "true" for r in replicas.values()) == 1
    # CKAN's schema, from the project's configset uploaded to ZooKeeper.
    schema = requests.get(cloud["url"] + "/schema/name?wt=json", timeout=10).json()
    assert schema["name"] == "ckan-2.12"


def test_ckan_indexes_and_finds_through_the_cloud(cloud, portal, sysadmin_module):
    org = catalog.department()
    entry = api(portal, "package_create", sysadmin_module["token"],
                **catalog.entry(org["id"], title="大连市公交线路信息"))
    found = api(portal, "package_search", q="大连公交")
    assert entry["name"] in [d["name"] for d in found["results"]]
    # The document is on both replicas.
    for n, replica in _replicas(cloud).items():
        core = requests.get(f"{cloud['nodes'][n]}/{replica['core']}/select", timeout=10,
                            params={"q": f"id:{entry['id']}", "distrib": "false",
                                    "wt": "json"}).json()
        assert core["response"]["numFound"] == 1, n


def test_searches_survive_a_dead_node_and_writes_meanwhile_reach_it_when_back(
        cloud, portal, sysadmin_module):
    token = sysadmin_module["token"]
    org = catalog.department()
    before = api(portal, "package_create", token,
                 **catalog.entry(org["id"], title="沈阳市空气质量监测数据"))
    leader = next(n for n, r in _replicas(cloud).items() if r.get("leader") == "true")

    # Visitors search through CKAN all along: (start, end, answered with the entry).
    searches: list[tuple[float, float, bool]] = []
    stop = threading.Event()

    def search() -> None:
        session = requests.Session()
        while not stop.is_set():
            start = time.monotonic()
            try:
                answer = session.get(portal + "/api/3/action/package_search",
                                     params={"q": "沈阳 空气质量"}, timeout=30)
                ok = answer.ok and before["name"] in answer.text
            except requests.RequestException:
                ok = False
            searches.append((start, time.monotonic(), ok))
            time.sleep(0.05)

    searcher = threading.Thread(target=search, daemon=True)
    searcher.start()
    time.sleep(2)
    killed_at = time.monotonic()
    script("cloud.sh", "kill", str(leader), env=cloud["env"])

    # Writes while the node is down: retried until the other replica has become leader.
    written, first_write_at = [], None
    for title in ("抚顺市养老机构名录", "本溪市旅游景区名录"):
        data = catalog.entry(org["id"], title=title)
        deadline = time.monotonic() + 60
        while True:
            answer = requests.post(portal + "/api/3/action/package_create", json=data,
                                   headers={"Authorization": token}, timeout=60)
            if answer.ok:
                written.append(answer.json()["result"])
                first_write_at = first_write_at or time.monotonic()
                break
            assert time.monotonic() < deadline, answer.text[:500]
            time.sleep(0.5)
    time.sleep(3)
    stop.set()
    searcher.join(30)

    during = [s for s in searches if s[0] >= killed_at]
    failed = [s for s in during if not s[2]]
    window = (max(s[1] for s in failed) - min(s[0] for s in failed)) if failed else 0.0
    slowest = max(s[1] - s[0] for s in during)
    print(f"\nSolrCloud failover: {len(during)} searches after the kill, {len(failed)} failed, "
          f"failover window {window:.2f}s, slowest search {slowest:.2f}s; writes accepted "
          f"again {first_write_at - killed_at:.1f}s after the kill")
    assert len(during) >= 20
    assert not failed, f"{len(failed)} searches failed, window {window:.2f}s"

    # The node comes back: its replica recovers from the leader and holds the new entries.
    script("cloud.sh", "start-node", str(leader), env=cloud["env"])
    replica = _replicas(cloud)[leader]
    assert replica["state"] == "active"
    for entry in written:
        wait_until(lambda e=entry: requests.get(
            f"{cloud['nodes'][leader]}/{replica['core']}/select", timeout=10,
            params={"q": f"id:{e['id']}", "distrib": "false", "wt": "json"},
        ).json()["response"]["numFound"] == 1, 60, f"{entry['name']} on node {leader}")
        found = api(portal, "package_search", q=entry["title"])
        assert entry["name"] in [d["name"] for d in found["results"]]

