"""A detached tmux window on a tmux server of its own.

Each window gets a private server (``tmux -L``): tests running in parallel never share one, so one test ending its
window can never stop the server another test is starting a window on ("server exited unexpectedly")."""
from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Window:
    def __init__(self, name: str) -> None:
        self.name = name
        self.tmux = ["tmux", "-L", name]

    def screen(self, height: int | None = None) -> str:
        rows = ["-S", "0", "-E", str(height - 1)] if height else []
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-t", self.name, *rows],
                              capture_output=True, text=True).stdout


@contextmanager
def window(prefix: str, cmd: str, width: int, height: int) -> Iterator[Window]:
    """Run ``cmd`` (``{name}`` in it becomes the window's name) in a ``width`` × ``height`` window."""
    win = Window(f"{prefix}-{time.monotonic_ns()}")
    subprocess.run([*win.tmux, "new-session", "-d", "-s", win.name, "-x", str(width), "-y", str(height),
                    cmd.replace("{name}", win.name)], check=True)
    try:
        yield win
    finally:
        subprocess.run([*win.tmux, "kill-server"], capture_output=True)
