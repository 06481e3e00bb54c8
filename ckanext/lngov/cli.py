"""`ckan lngov ...`: the portal's commands."""
from __future__ import annotations

import click


@click.group()
def lngov():
    """辽宁省公共数据开放平台 commands."""


@lngov.command("load-demo")
def load_demo():
    """Load the demo catalog (departments, entries and their files); safe to repeat."""
    from ckanext.lngov.demo import load

    counts = load.load(say=click.echo)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


def get_commands():
    return [lngov]
