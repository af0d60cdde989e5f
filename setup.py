"""Build hook: the wheel carries assetpipe's esbuild pin and service script.

``node/package.json``, ``node/package-lock.json`` and ``node/service.mjs`` are copied into the
wheel as ``assetpipe/_node/`` (declared as package data in pyproject.toml); an installed
assetpipe installs them with ``npm ci`` into a per-user cache on first use
(``assetpipe/esbuild.py``). A checkout uses ``node/`` directly. Everything else is in
pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NODE_FILES = ("package.json", "package-lock.json", "service.mjs")


class BuildPyWithNode(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "node"
        target = Path(self.build_lib) / "assetpipe" / "_node"
        target.mkdir(parents=True, exist_ok=True)
        for name in NODE_FILES:
            shutil.copyfile(source / name, target / name)


setup(cmdclass={"build_py": BuildPyWithNode})
