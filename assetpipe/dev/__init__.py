"""Development: ``assetpipe watch`` — rebuild on save, serve with live reload.

Module map:

- ``watch``: ``Watcher``, the loop that ties the others together: the build lock, the file
  watcher (inotify or polling), debouncing, re-validating pipeline.yaml, one line per rebuild;
- ``plan``: rebuild planning: which stages a batch of changed source keys needs (``Planner``);
- ``apply``: rebuild applying: ``DevBuilder`` runs the planned stages into a staging folder and
  moves the outputs into the current build in place (or does a full development build);
- ``server``: the dev server: the live-reload event stream, the pages of pipeline.yaml or the
  user's own WSGI app, and ``public/``.
"""
