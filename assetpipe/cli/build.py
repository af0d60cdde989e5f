"""``assetpipe init`` (write a pipeline.yaml for a Flask project) and ``assetpipe build``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .build_options import BUILD_OPTIONS
from .building import run_build
from .common import run_command, setup_logging
from .options import F, click_option

if TYPE_CHECKING:
    from ..adopt.webassets import BundleOutputs
    from ..adopt.webserver import StaticRule


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, exists=True))
@click.option(
    "-c",
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
        from ..adopt import init as run_init
        from ..adopt import other_app_steps
        from ..adopt.asgiapp import find_asgi_app
        from ..adopt.djangoapp import find_django_project
        from ..adopt.djangopages import absent_static_note, installed_pages_note
        from ..adopt.importspot import two_lines
        from ..adopt.installedwsgi import installed_wsgi_steps
        from ..adopt.isso import isso_config, isso_init
        from ..adopt.litestarapp import find_litestar_app
        from ..adopt.mediagoblin import mediagoblin_config, mediagoblin_steps
        from ..adopt.othertools import describe
        from ..adopt.pyramidapp import find_pyramid_app
        from ..adopt.render import OUTPUT
        from ..adopt.roundup import tracker_config, tracker_steps
        from ..adopt.runserverstep import finder_note
        from ..errors import UsageError

        try:
            result = run_init(Path(folder), config_name=config_name, force=force)
        except UsageError:  # no app: an isso server's folder holds only its config
            if (isso := isso_config(Path(folder).resolve())) is None:
                raise
            head, steps = isso_init(isso, Path(folder) / config_name, force)
            _next_steps(head, steps, "  ")
            return 0
        asgi = lite = pyr = None  # a Starlette/FastAPI, Litestar or Pyramid app (no Flask app)
        p = result.project
        click.echo(
            f"wrote {result.path} (source: {os.path.relpath(p.static_dir)}, "
            f"{p.templates} template(s), {len(p.scripts)} script(s) "
            f"({len(p.classic)} classic), {len(p.styles)} stylesheet(s), "
            f"{len(p.image_dirs)} image folder(s)"
            + (f" and {len(p.top_images)} image(s) at its top" if p.top_images else "")
            + f", {len(result.copied)} other file(s) copied)"
        )
        _unnamed_note(result.unnamed_code, p.django)
        if other := describe(p.other_output):
            click.echo(f"note: {other}")
        if result.adopted and p.app is not None:
            shown = os.path.relpath(p.app.module_file, p.root)
            click.echo(f"\n{shown} already calls AssetPipe(...): run `assetpipe build`.")
        elif p.app is None and (asgi := find_asgi_app(p.root)) is not None:
            shown = os.path.relpath(asgi.module_file, p.root)
            if asgi.adopted:
                click.echo(f"\n{shown} already calls AssetPipe(...): run `assetpipe build`.")
            else:
                head, lines = asgi.steps(shown)
                _next_steps(f"\n{head}\n", lines, "")
        elif p.app is None and (lite := find_litestar_app(p.root)) is not None:
            _found(p.root, lite.module_file, lite.adopted, "makes AssetPipe()", lite.steps)
        elif p.app is None and (pyr := find_pyramid_app(p.root)) is not None:
            _found(p.root, pyr.module_file, pyr.adopted, "calls AssetPipe(...)", pyr.steps)
        elif p.app is None and (dj := find_django_project(p.root)) is not None:
            shown = os.path.relpath(dj.wsgi_file, p.root)
            if dj.adopted:
                click.echo(f"\n{shown} already wraps {dj.name}: run `assetpipe build`.")
                settings = os.path.relpath(dj.settings_file or ".", p.root)
                if note := finder_note(dj.settings_file, dj.staticfiles_line, settings):
                    click.echo(f"\n{note}")
                here = result.path.parent.resolve()
                for line in [
                    *dj.asgi_lines(p.root, here, OUTPUT, p.public_path, lead="For"),
                    *dj.storage_note(),
                ]:
                    click.echo(line)
            else:
                here = result.path.parent.resolve()
                steps = dj.steps(p.root, here, OUTPUT, p.public_path)
                _next_steps("\nA Django project.", steps, "  ")
            if not p.templates and (note := installed_pages_note(p.root)):
                click.echo(f"\n{note}")
            if note := absent_static_note(p.root):
                click.echo(f"\n{note}")
        elif p.app is None and (tracker := tracker_config(p.root)) is not None:
            steps = tracker_steps(tracker, result.path.parent.resolve() / OUTPUT)
            _next_steps(f"\nA Roundup tracker ({os.path.relpath(tracker, p.root)}).", steps, "  ")
        elif p.app is None and (mg := mediagoblin_config(p.root)) is not None:
            steps = mediagoblin_steps(mg, result.path.parent.resolve() / OUTPUT, p.public_path)
            _next_steps(f"\nA GNU MediaGoblin checkout ({mg.name}).", steps, "  ")
        elif p.app is None and (
            wsgi_steps := installed_wsgi_steps(
                p.root, result.path.parent.resolve(), OUTPUT, p.public_path
            )
        ):
            _next_steps("\nA Django project.", wsgi_steps, "  ")
        elif p.app is None:
            click.echo(
                "\nNo Flask app found here (a Flask app: run init in its folder). Any other app:"
            )
            for line in other_app_steps(p.public_path, result.path.parent.resolve() / OUTPUT):
                click.echo(f"  {line}")
            click.echo("then run `assetpipe build`.")
        else:
            shown = os.path.relpath(p.app.module_file, p.root)
            head, lines = two_lines(shown, result.place, result.lines, result.import_after)
            _next_steps(f"\n{head}\n", lines, "")
        _web_server_notes(result.static_rules, p.root, p.public_path, p.django)
        _assets_note(p.assets_templates, result.bundles, result.app_spec)
        _own_views_note(p.own_views)
        _helper_note(p.helper_named, set(result.copied))
        _themes_note(p.themes, p.root)
        made = p.app or asgi or lite or pyr
        if p.app is not None and p.app.dash:
            from ..adopt.dashapp import dash_note

            click.echo(dash_note(p.public_path, p.app.variable or "app"))
        else:
            _extensions_note(made.module_file.parent if made else None, p.root, asgi is not None)
        if made is not None:
            _installed_note(made.module_file, p.root)
        return 0

    def body_reading_once() -> int:
        """``body``, its steps after ``init`` (the Django project's settings and their family,
        the app's extensions) reading the modules ``init`` already read."""
        from ..adopt.files import reading_once

        with reading_once():
            return body()

    run_command(body_reading_once, verbose=verbose, json_mode=False)


def _found(
    root: Path, module: Path, adopted: bool, does: str, steps: Callable[[str], list[str]]
) -> None:
    """``init``'s steps for a Litestar or Pyramid app found in ``module``: that it already
    ``does`` what they say (``init --force`` run again), or the steps (``steps(shown path)``)."""
    shown = os.path.relpath(module, root)
    if adopted:
        click.echo(f"\n{shown} already {does}: run `assetpipe build`.")
    else:
        _next_steps("", steps(shown), "")


def _next_steps(head: str, lines: Iterable[str], indent: str) -> None:
    """``init``'s steps for the app it found: ``head``, each line at ``indent`` (a blank one
    blank), then the build."""
    click.echo(head)
    for line in lines:
        click.echo(f"{indent}{line}" if line else "")
    click.echo("\nthen run `assetpipe build` and start your app as usual.")


def _unnamed_note(unnamed: list[str], django: bool) -> None:
    """Say why scripts and stylesheets of the static folder are copied, not bundled (a user
    reading "0 script(s)" asks), and which references get their hashed names: Flask's
    ``url_for``, Django's ``{% static %}`` (healthchecks' admin stylesheets, named by its
    ``ModelAdmin.Media`` in Python, were counted here under a note about ``url_for``)."""
    if not unnamed:
        return
    js = sum(not f.endswith(".css") for f in unnamed)
    how = (
        "a {% static 'K' %} that names one is given its hashed name; one named in Python,"
        " such as a form's or an admin's Media, keeps its URL, which still answers"
        if django
        else "a url_for('static', ...) that names one, literal or computed, is given its"
        " hashed name"
    )
    click.echo(
        f"{js} script(s) and {len(unnamed) - js} stylesheet(s) that no <script src> or <link>"
        f" tag loads are copied with hashed names, not bundled ({how})."
    )


def _helper_note(helpers: dict[str, list[str]], copied: set[str]) -> None:
    """Say that the scripts and stylesheets the templates load through a helper of the app's
    own (``Project.helper_named``: Whoogle's ``cb_url('logo.css')``) are copied, not bundled,
    and stay at the URLs the helper gives them."""
    for name, keys in helpers.items():
        code = [k for k in keys if k in copied]
        if not code:
            continue
        js = sum(not k.endswith(".css") for k in code)
        click.echo(
            f"\nnote: {js} script(s) and {len(code) - js} stylesheet(s) are loaded through"
            f" {name}(...), a helper of your app's own that names them by file name: copied"
            f" with hashed names, not bundled; your pages load them at the URLs {name}() gives"
            " them, as before."
        )


def _web_server_notes(
    rules: list[StaticRule], root: Path, public_path: str, django: bool = False
) -> None:
    """Name each web server rule that serves ``public_path`` without the app (``init``'s
    last words: deployed so, every hashed file 404s). For a Django project the rule stays, after
    the app: with ``DEBUG`` off Django serves no static file, and a Review Board site whose rule
    was removed, as the note said, answered the 9 django-pipeline bundles of every page 404."""
    for r in rules:
        shown = os.path.relpath(r.path, root)
        fix = (
            "keep it for the files the build lacks (STATIC_ROOT's: with DEBUG off Django serves"
            " no static file) and ask the app first, STATIC_ROOT for what it 404s"
            ' (docs/adopting.md, "A Django project", "Behind nginx").'
            if django
            else "remove that rule so the app serves them"
            ' (docs/adopting.md, "A web server that answers /static/ itself").'
        )
        click.echo(
            f"\nnote: {shown}:{r.line} serves {public_path} itself ({r.text}): deployed with it,"
            f" the build's hashed files 404; {fix}"
        )


def _installed_note(module_file: Path, root: Path) -> None:
    """Name another installed copy of the app's package (``installed.installed_copy``): its
    console script and servers started elsewhere run it, not the adopted one."""
    from ..adopt.installed import installed_copy, installed_note

    copy = installed_copy(module_file, root)
    if copy is not None:
        click.echo("\n" + installed_note(copy, root))


def _own_views_note(own: dict[str, list[str]]) -> None:
    """Say that the files the templates name through a view of the app's own stay as that
    view serves them (``Project.own_views``): the build rewrites only the static route's."""
    for endpoint, keys in own.items():
        code = [k for k in keys if k.endswith((".js", ".mjs", ".css"))]
        shown = (code or keys)[0]
        click.echo(
            f"\nnote: the templates name {len(keys)} file(s) of the static folder through"
            f" url_for('{endpoint}', ...), a view of the app's own (e.g. {shown}): the build"
            " cannot give those references hashed names, so the pages keep loading them from"
            " that view as before (not hashed, precompressed or cached by assetpipe);"
            f" url_for('static', filename='{shown}') names the built file"
            ' (docs/adopting.md, "Files served by a view of the app\'s own").'
        )


def _assets_note(templates: list[str], outputs: BundleOutputs, app_spec: str | None) -> None:
    """Say what becomes of the ``{% assets %}`` bundles (``Project.assets_templates``): those
    whose output file is in the static folder (``bundle_outputs``) are built like any computed
    ``url_for('static', ...)``; the others stay webassets'. The command that builds them names
    the app (``flask_assets_command``), and outputs git ignores are said to be missing from a
    fresh checkout, where ``assetpipe build`` stops on them."""
    from ..adopt.webassets import flask_assets_command

    if not templates:
        return
    shown = ", ".join(templates[:3]) + (
        f" and {len(templates) - 3} more" if len(templates) > 3 else ""
    )
    head = (
        f"\nnote: {len(templates)} template(s) load Flask-Assets bundles ({{% assets %}}: {shown})"
    )
    doc = ' (docs/adopting.md, "Flask-Assets bundles").'
    command = f"`{flask_assets_command(app_spec)}`"
    if outputs.present:
        click.echo(
            f"{head}: their output file(s) {', '.join(outputs.present)} are in the static folder,"
            " so the build hashes them and AssetPipe(app) gives the URLs"
            " Flask-Assets builds with url_for('static', ...) those names while the page renders"
            f" (compressed, immutable). Build the bundles ({command}) before"
            " `assetpipe build`: one rebuilt later is served from the static folder, unhashed,"
            " until the next build"
            + (
                f"; git ignores {', '.join(outputs.ignored)}: a fresh checkout (CI, an image"
                " build) lacks them, and `assetpipe build` stops on them there until that"
                " command has built them"
                if outputs.ignored
                else ""
            )
            + (
                f"; not in the static folder (not built yet?): {', '.join(outputs.missing)}:"
                " build them, then run `assetpipe init --force`"
                if outputs.missing
                else ""
            )
            + doc
        )
        return
    click.echo(
        f"{head}: webassets builds and serves those scripts and stylesheets, and assetpipe leaves"
        " them as they are (not hashed, compressed or cached by it), with the fonts they name;"
        " it builds what the templates name themselves"
        + (
            f". If webassets writes {', '.join(outputs.missing)} into the static folder, build"
            f" them ({command}), then run `assetpipe init --force`: the build then"
            " hashes them"
            if outputs.missing
            else ""
        )
        + doc
    )


def _themes_note(themes: list[Path], root: Path) -> None:
    """Say what becomes of Flask-Themes2 themes (``Project.themes``)."""
    if not themes:
        return
    shown = ", ".join(os.path.relpath(t, root) for t in themes)
    click.echo(
        f"\nnote: {len(themes)} Flask-Themes2 theme(s) ({shown}): AssetPipe(app) hashes,"
        " compresses and serves their static files (theme_static(...)) while the app runs,"
        " immutable; their templates are Flask-Themes2's to load and are not rewritten (not"
        ' counted above; docs/adopting.md, "Flask-Themes2 themes").'
    )


def _extensions_note(folder: Path | None, root: Path, asgi: bool = False) -> None:
    """Name the installed packages the app imports that ship a ``static/`` folder (a
    Starlette app's: or ``statics/``, starlette-admin's) (``adopt.extensions``): their files
    are not counted above."""
    from ..adopt.extensions import shipped_static

    names = ("static", "statics") if asgi else ("static",)
    found = shipped_static(folder, root, names) if folder is not None else []
    if not found:
        return
    shown = ", ".join(name for name, _ in found)
    click.echo(
        f"\nnote: {len(found)} installed package(s) the app imports ship static files ({shown}),"
        " not counted above: "
        + (
            "AssetPipe(app, templates) hashes, compresses and serves immutable those a"
            " StaticFiles mount of the package's folder serves (packages=[...] or a directory in"
            " site-packages) while it runs"
            if asgi
            else "AssetPipe(app) hashes, compresses and serves those the app serves through a"
            " blueprint's static folder or its own static view while it runs"
        )
        + ' (docs/adopting.md, "Adopted by hand").'
    )


def build_options(f: F) -> F:
    """``f`` with every option of ``assetpipe build``, in the table's order."""
    for o in reversed(BUILD_OPTIONS):
        f = click_option(o)(f)
    return f


@click.command()
@build_options
def build(**options: Any) -> None:
    """Build the site: images, scripts, styles, static files, templates, manifest."""
    run_build(**options)
