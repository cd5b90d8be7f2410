"""`nasti user add NAME --role clerk|branch_head|collector [--branch KEY] --password-stdin` creates a web user."""
from __future__ import annotations

import sys
from typing import Annotated

import typer

from nasti.app import app, load_config, open_store, out
from nasti.commands._common import case_errors, fail

user_app = typer.Typer(no_args_is_help=True, help="Web users (nasti serve).")
app.add_typer(user_app, name="user")


@user_app.command("add")
def add(name: Annotated[str, typer.Argument(metavar="NAME")],
        role: Annotated[str, typer.Option("--role", help="clerk, branch_head, collector, commissioner or state")],
        branch: Annotated[str | None, typer.Option("--branch", "-b", help="the branch of a clerk or branch head")]
        = None,
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")]
        = False,
        office: Annotated[str | None, typer.Option("--office", help="a collector's office (default: this one)")]
        = None,
        division: Annotated[str | None, typer.Option("--division", help="a commissioner's division")] = None,
        ) -> None:
    """Create a web user; the password is read from stdin (one line) and stored as an argon2id hash."""
    from store.cases import add_user

    if not password_stdin:
        fail("give the password on stdin with --password-stdin (never on the command line)", 2)
    password = sys.stdin.readline().rstrip("\r\n")
    cfg = load_config()
    with case_errors(), open_store(cfg).session() as s:
        user = add_user(s, cfg, name, role, password, branch, office, division)
        out.print(f"user {user.name} ({user.role}{', ' + branch if branch else ''}) created", highlight=False)
