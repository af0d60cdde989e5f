"""The CLI's handler for core log records: plain lines on stderr (``warning: FILE:LINE: what``,
``error: ...``; info as is; debug dimmed). Imported when the first record is to be shown
(``assetpipe.logs``): it imports ``logging``."""

from __future__ import annotations

import logging
import sys
from typing import ClassVar

from .console import esc, make_console, say, styled


class _LineHandler(logging.Handler):
    """Renders core log records as plain lines on stderr: ``warning: FILE:LINE: what``,
    ``error: ...``; info as is; debug dimmed. Colour only on a terminal without NO_COLOR;
    rich only on a terminal (a piped build's lines are the same text, written directly)."""

    STYLES: ClassVar[dict[int, tuple[str, str]]] = {
        logging.WARNING: ("warning:", "yellow"),
        logging.ERROR: ("error:", "bold red"),
        logging.CRITICAL: ("error:", "bold red"),
    }

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:  # a debug record's too: shown only with -v, which says so
                import traceback

                text += "\n" + "".join(traceback.format_exception(*record.exc_info))
            prefix = self.STYLES.get(record.levelno)
            if prefix:
                say(text, lead=prefix[0], style=prefix[1])
            elif record.levelno <= logging.DEBUG and styled(sys.stderr):
                make_console().print(f"[dim]{esc(text)}[/]")
            else:
                say(text)
        except Exception:
            self.handleError(record)


def install_handler(level: int) -> None:
    """``_LineHandler`` as the only handler of the ``assetpipe`` logger, at ``level``."""
    root = logging.getLogger("assetpipe")
    root.handlers[:] = [_LineHandler()]
    root.setLevel(level)
    root.propagate = False
