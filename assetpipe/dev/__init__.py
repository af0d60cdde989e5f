"""Development: ``assetpipe watch``, rebuilding on save.

Module map:

- ``plan``: rebuild planning: which stages a batch of changed source keys needs (``Planner``);
- ``apply``: rebuild applying: ``DevBuilder`` runs the planned stages into a staging folder and
  moves the outputs into the current build in place (or does a full development build).
"""
