"""The `nasti` Typer application and what every sub-command shares: the consoles, the global options, loading the
config, opening the database, printing JSON. `nasti.cli` registers the walking-skeleton commands and imports
`nasti.commands` (the rest); each command module imports this one, so no command imports the CLI that imports it."""
from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from common import config as configmod
from common.config import Config, ConfigError
from nasti import logs
from nasti.textwidth import install as _measure_devanagari_as_terminals_do

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
_measure_devanagari_as_terminals_do()  # rich: spacing vowel signs are 1 cell, as terminals draw them
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one message, one line: never wrapped at 80 columns


class _State:
    config_path: str | None = None
    verbose: int = 0
    quiet: bool = False


state = _State()


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"nasti {version('nasti')}", highlight=False)
        raise typer.Exit(0)


@app.callback()
def _main(
    config: Annotated[str | None, typer.Option("--config", "-c", help="config file (else $NASTI_CONFIG, else "
                                                                         "./config.toml; none found is an error)")]
    = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="more log output: every page (debug)")]
    = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="log only warnings and errors")] = False,
    _version_flag: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="print nasti's version and exit")] = False,
) -> None:
    """nasti (नस्ती): digitise legacy office files — watch the share, OCR Hindi + English, track.

    Branch head (शाखा प्रभारी), add --lang hi or --lang en:
      nasti status                      counts for every branch
      nasti rejected --branch revenue   files returned to the clerks, and why
      nasti review --branch revenue     files waiting for a person
      nasti readiness                   every branch against the cutover date

    Engineer: nasti doctor (can nasti run here?), nasti watch, nasti migrate (after an upgrade).

    Exit codes: 0 ok; 2 bad usage, config or a database to migrate; 1 anything else.
    nasti doctor has its own codes (nasti doctor --help).
    """
    state.config_path, state.verbose, state.quiet = config, verbose, quiet
    logs.setup(err, level=logs.level_for(verbose, quiet))


def load_config() -> Config:
    try:
        cfg = configmod.load(state.config_path)
    except ConfigError as e:
        err.print(f"nasti: config error: {e}", highlight=False, markup=False)
        raise typer.Exit(2) from e
    logs.setup(err, level=logs.level_for(state.verbose, state.quiet, cfg.log.level), tz_name=cfg.office.timezone,
               log=cfg.log)
    return cfg


def open_store(cfg: Config):  # -> store.db.Store
    """The database, at this nasti's schema (a brand-new one is created); one that is behind: exit 2."""
    from nasti.schema import SchemaError, open_checked

    try:
        return open_checked(cfg.store_url)
    except SchemaError as e:
        err.print(f"nasti: {e}", highlight=False)
        raise typer.Exit(2) from e


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
