"""``assetpipe init`` (write a pipeline.yaml for a Flask project) and ``assetpipe build``."""

from __future__ import annotations

import os

import click

from .building import PROFILES, run_build
from .common import run_command, setup_logging
from .options import CONFIG_OPTION


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--config",
    "config_name",
    default="pipeline.yaml",
    show_default=True,
    help="Name of the config file to write in FOLDER.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.option("-v", "--verbose", count=True, help="Tracebacks on errors.")
def init(folder: str, config_name: str, force: bool, verbose: int) -> None:
    """Look at a Flask project and write a commented pipeline.yaml that builds it."""
    setup_logging(verbose, False, False)

    def body() -> int:
        from pathlib import Path

        from ..adopt import APP_LINES
        from ..adopt import init as run_init

        result = run_init(Path(folder), config_name=config_name, force=force)
        p = result.project
        click.echo(
            f"wrote {result.path} (source: {os.path.relpath(p.static_dir)}, "
            f"{p.templates} template(s), {len(p.scripts)} script(s) "
            f"({len(p.classic)} classic), {len(p.styles)} stylesheet(s), "
            f"{len(p.image_dirs)} image folder(s))"
        )
        click.echo(f"\nAdd these two lines {result.where}:\n")
        for line in APP_LINES:
            click.echo(f"    {line}")
        click.echo("\nthen run `assetpipe build` and start your app as usual.")
        return 0

    run_command(body, verbose=verbose, json_mode=False)


@click.command()
@CONFIG_OPTION
@click.option("--clean", is_flag=True, help="Empty the cache first.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings.")
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default="production",
    show_default=True,
)
@click.option("-v", "--verbose", count=True, help="More output; tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--json", "json_mode", is_flag=True, help="Print one JSON document on stdout.")
def build(
    config_path: str,
    clean: bool,
    strict: bool,
    profile: str,
    verbose: int,
    quiet: bool,
    json_mode: bool,
) -> None:
    """Build the site: images, scripts, styles, static files, templates, manifest."""
    run_build(config_path, clean, strict, profile, verbose, quiet, json_mode)
