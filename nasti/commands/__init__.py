"""Sub-commands beyond the walking skeleton, registered on ``nasti.cli.app`` when imported (see the bottom of
``nasti/cli.py``): ``register``, ``review``, ``search``."""
from __future__ import annotations
