"""`ckan lngov ...`: the portal's commands."""
from __future__ import annotations

import sys

import click

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import config

from ckanext.lngov import links as link_rule
from ckanext.lngov import worker as jobs_worker
from ckanext.lngov.harvest import credentials, queues, run
from ckanext.lngov.suggest import index as suggest_index
from ckanext.lngov.tables import load as table_load


@click.group()
def lngov():
    """辽宁省公共数据开放平台 commands."""


@lngov.command("load-demo")
def load_demo():
    """Load the demo catalog (departments, entries and their files); safe to repeat."""
    # Here, not at the top: the demo's generators and openpyxl take a second to import, which
    # every web node and worker would pay for a command they never run.
    from ckanext.lngov.demo import load

    counts = load.load(say=click.echo)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


@lngov.command("worker")
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
@click.option("--max-jobs", type=int, default=None, help="stop after this many jobs")
def worker(burst, max_jobs):
    """The portal's background worker (what scripts/run.sh starts): CKAN's RQ worker running
    each job in its own process, on CKAN's default queue first, then the table loads."""
    jobs_worker.work(burst=burst, max_jobs=max_jobs)


@lngov.command("tables")
def tables():
    """Queue the load of every open table not loaded yet (or loaded from another file):
    after an upgrade, tables an older portal loaded as text get their types and preview.
    The portal's worker does the loads (`ckan lngov worker`)."""
    ids = [row[0] for row in model.Session.query(model.Package.id).filter(
        model.Package.state == "active", model.Package.type == "dataset")]
    queued = 0
    with click.progressbar(ids, label="entries") as bar:
        for package_id in bar:
            queued += table_load.schedule(package_id)
    model.Session.commit()
    click.echo(f"tables queued: {queued}")


@lngov.command("links")
def links():
    """Report the resources whose stored address has a scheme the portal refuses (other
    than ckan.valid_url_schemes: javascript:, data:, a relative address...), stored before
    the rule or behind its back. Until an editor fixes them, the pages, the API, DCAT and
    schema.org leave those addresses out. Exits 1 when there are any (for monitoring)."""
    found = list(link_rule.bad_links())
    for row in found:
        click.echo(f"{row['dataset']}\t{row['resource_id']}\t{row['scheme'] or '-'}\t"
                   f"{row['url'][:200]!r}")
    click.echo(f"addresses refused by the scheme rule ({' '.join(link_rule.schemes())}): "
               f"{len(found)}")
    if found:
        sys.exit(1)


@lngov.command("application-mails")
def application_mails():
    """Mail the end of approvals past their end date (applicant and department) and remind
    departments of applications near or past their due date: each once, so safe to run as
    often as wanted (cron, e.g. hourly; scripts/run.sh runs it every hour)."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    done = tk.get_action("lngov_application_mails")({"user": site_user["name"]}, {})
    click.echo(f"approvals ended, mailed: {done['expired']}; "
               f"reminders of near-due applications: {done['reminded']}")


@lngov.command("search-usage")
def search_usage():
    """Index again the entries whose use (views, downloads) moved to another magnitude since
    they were indexed, for search's "more used ahead" (suggest/index.py). Cheap when nothing
    moved; run it hourly (cron; scripts/run.sh does)."""
    click.echo(f"entries indexed again with their use: {suggest_index.refresh_usage()}")


@lngov.command("harvest")
@click.argument("source")
@click.option("--workers", default=2, show_default=True,
              help="processes fetching and importing entries side by side")
def harvest(source, workers):
    """Run one harvest job of SOURCE (name or id) now, in this process, with progress.

    For cron: prints plain lines when not on a terminal; exits 1 when the job recorded errors,
    2 when it could not start.
    """
    try:
        found = run.source_by_name_or_id(source)
    except Exception as error:  # noqa: BLE001 - any failure to find it is the same message
        raise click.ClickException(str(error))
    on_terminal = sys.stdout.isatty()
    bar = None

    def progress(done, total, code, outcome):
        nonlocal bar
        if on_terminal:
            if bar is None:
                bar = click.progressbar(length=total, label=f"harvesting {found.title}")
                bar.__enter__()
            bar.update(1)
        elif done == total or done % 50 == 0 or outcome in ("refused", "error"):
            click.echo(f"[{done}/{total}] {code} {outcome}")

    try:
        job, counts = run.run(found, progress, workers=max(1, workers))
    except run.Busy as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"job {job.id}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if counts["error"] or counts["refused"] or counts["listing_errors"]:
        click.echo("details: ckan harvester job-show / the job's page under /harvest", err=True)
        sys.exit(1)


@lngov.command("harvest-consumer")
@click.argument("kind", type=click.Choice(["gather", "fetch"]))
def harvest_consumer(kind):
    """One consumer of ckanext-harvest's gather or fetch queue (jobs started from the web UI),
    one that survives idle queues (harvest/queues.py). `harvest-consumers` supervises both."""
    queues.consume(kind)


@lngov.command("harvest-consumers")
@click.option("--interval", type=int, default=None,
              help="seconds between housekeeping rounds "
                   "(default: ckanext.lngov.harvest.supervise_interval)")
def harvest_consumers(interval):
    """Run the gather and fetch consumers under supervision: each restarted if it dies, and
    the harvest jobs closed when finished (or when stalled, after ckan.harvest.timeout
    minutes without progress). Stops with SIGTERM or Ctrl-C."""
    every = interval or tk.config.get("ckanext.lngov.harvest.supervise_interval")
    click.echo(f"harvest consumers: supervising (housekeeping every {every} s)")
    queues.Supervisor(config["__file__"], every,
                      say=lambda line: click.echo(line, err=False)).run()


@lngov.command("move-secrets")
def move_secrets():
    """Move credentials out of harvest sources' records into this server's ini file.

    Sources made before credentials lived in the configuration kept their token in their
    config, which the API and activities showed. Safe to repeat; prints the sources moved,
    never the secrets.
    """
    for name in credentials.move_out(config["__file__"]):
        click.echo(f"harvest source {name}: token moved to "
                   f"{credentials.option(name)} in {config['__file__']}")


def get_commands():
    return [lngov]
