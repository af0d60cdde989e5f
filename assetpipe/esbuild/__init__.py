"""esbuild, assetpipe's one seam to the tool that bundles scripts and stylesheets.

- ``install``: where the pinned esbuild's files are, installing it (``npm ci``) when missing or
  stale, and ``Esbuild``: the installed, version-checked tool.
- ``native``: one build with the native binary (JS API options → CLI flags, its log parsed).
- ``service``: esbuild's JS API in a long-lived Node process (the url() plugin), and
  ``Contexts``, the long-lived build contexts watch rebuilds.
- ``session``: ``EsbuildSession``, what the stages use (``ctx.esbuild``): a one-shot build's
  esbuild, or a watcher's, modelled on esbuild's ``build()`` / ``context()`` + ``rebuild()``.
- ``result``: ``Result`` (output bytes + metafile), ``Message``, ``EsbuildError``.
- ``metafile``: esbuild's metafile → manifest entries.

Every way of running esbuild builds byte-identical files from the same options, and returns a
``Result``; errors are ``EsbuildError`` (exit 1), one ``file:line:col: message`` line per
esbuild error, and ``ExternalToolError`` (exit 3) when esbuild or Node cannot run.
"""
