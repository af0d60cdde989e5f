"""The build: from a pipeline.yaml to a new build folder swapped in as the output.

Module map (each imports only those below it, and the stages, config and manifest):

- ``run``: ``build()``, the orchestrator; runs the stages in order (``stages``,
  ``run_stage``) on one ``StageContext`` and returns a ``BuildResult``;
- ``result``: ``BuildResult``, what a build did (public as ``assetpipe.BuildResult``);
- ``output``: the atomic swap of the output symlink and the files retained from previous builds
  (deploy safety), with the deploy history they are read from;
- ``cache``: the persistent, content-addressed stage cache (``.assetpipe/.../cache/``);
- ``sources``: the source tree's files, their hashes and the stat memo that spares re-reading;
- ``lock``: the build lock (one build of a project at a time);
- ``state``: where a config's state lives (``.assetpipe/<config name>/``) and who owns the output.

This package's ``__init__`` imports nothing. The package is not called ``build``: that name
is the public function (``from assetpipe import build``), and one name for both would make
``import assetpipe.build.x`` and dotted patch targets resolve on the function.
"""
