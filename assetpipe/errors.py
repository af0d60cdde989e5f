"""The exception tree. The CLI maps each class to an exit code in one place
(``assetpipe.cli.common.run_command``).

Every error can carry a location (file as the user named it, 1-based line and column) and a hint.
``str(err)`` gives ``FILE:LINE:COL: message``; the CLI prefixes ``error: `` and prints the hint on
the following line.
"""

from __future__ import annotations

from .records import dataclass


@dataclass(frozen=True)
class Location:
    """Where an error is: a file as the user named it, with an optional 1-based line and column."""

    file: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


class AssetpipeError(Exception):
    """Base of every error assetpipe raises on purpose. Exit 1 unless a subclass says otherwise."""

    exit_code = 1

    def __init__(
        self, message: str, *, location: Location | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def lines(self) -> list[tuple[str, str | None]]:
        """Each error line (without the ``error: `` prefix) with its optional hint."""
        return [(str(self), self.hint)]

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class UsageError(AssetpipeError):
    """The command line itself is wrong. Exit 2."""

    exit_code = 2


class ConfigError(AssetpipeError):
    """pipeline.yaml is malformed or invalid. Holds every problem at once. Exit 2."""

    exit_code = 2

    def __init__(self, problems: list[AssetpipeError]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems

    def lines(self) -> list[tuple[str, str | None]]:
        return [(str(p), p.hint) for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class StageError(AssetpipeError):
    """A build stage failed on an input (bad template, corrupt image, esbuild error). Exit 1."""


class MissingAssetError(StageError):
    """A reference names an asset that does not exist. Exit 1."""


class MissingAssetsError(MissingAssetError):
    """Every missing-asset reference of a build at once (each located). Exit 1."""

    def __init__(self, problems: list[AssetpipeError]) -> None:
        super().__init__(f"{len(problems)} reference(s) to assets the build did not produce")
        self.problems = problems

    def lines(self) -> list[tuple[str, str | None]]:
        return [(str(p), p.hint) for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class LockError(AssetpipeError):
    """Another build still holds the project's build lock after waiting. Exit 1."""


class ExternalToolError(AssetpipeError):
    """A required tool could not run (no Node, esbuild version mismatch, no Chromium). Exit 3."""

    exit_code = 3


class AuditFailure(AssetpipeError):
    """An audit ran and a page broke its budget or could not be measured. Exit 1."""
