"""`nasti user add|list|disable|enable|passwd|role|remove`: the web users (every change is audited; disable,
passwd, role and remove end the user's sessions at once)."""
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

    password = _password_from_stdin(password_stdin)
    cfg = load_config()
    with case_errors(), open_store(cfg).session() as s:
        user = add_user(s, cfg, name, role, password, branch, office, division)
        out.print(f"user {user.name} ({user.role}{', ' + branch if branch else ''}) created", highlight=False)


def _password_from_stdin(password_stdin: bool) -> str:
    if not password_stdin:
        fail("give the password on stdin with --password-stdin (never on the command line)", 2)
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("list")
def list_users(json_out: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Every web user: name, role, branch, disabled or not, live sessions."""
    from sqlalchemy import func, select

    from nasti.app import print_json
    from store.models import WebSession, utcnow
    from store.users import listing

    cfg = load_config()
    with open_store(cfg).session() as s:
        counts = select(WebSession.user_id, func.count()).where(WebSession.expires_at > utcnow())
        live: dict[int | None, int] = {uid: n for uid, n in s.execute(counts.group_by(WebSession.user_id))}
        rows = [{"name": u.name, "role": u.role, "branch": u.branch.key if u.branch else None,
                 "disabled": u.disabled, "sessions": live.get(u.id, 0),
                 "created_at": u.created_at.isoformat()} for u in listing(s)]
    if json_out:
        print_json(rows)
        return
    for r in rows:
        out.print(f"{r['name']}\t{r['role']}\t{r['branch'] or '-'}\t{'disabled' if r['disabled'] else 'active'}"
                  f"\t{r['sessions']} session(s)", highlight=False, markup=False)


def _change(name: str, action: str, **kw: str | None) -> int:
    from store.cases import change_user

    cfg = load_config()
    with case_errors(), open_store(cfg).session() as s:
        return change_user(s, cfg, name, action, **kw)  # type: ignore[arg-type]


@user_app.command("disable")
def disable(name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Disable a user: they cannot log in and their open sessions end at once."""
    ended = _change(name, "disable")
    out.print(f"user {name} disabled; {ended} session(s) ended", highlight=False, markup=False)


@user_app.command("enable")
def enable(name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Let a disabled user log in again."""
    _change(name, "enable")
    out.print(f"user {name} enabled", highlight=False, markup=False)


@user_app.command("passwd")
def passwd(name: Annotated[str, typer.Argument(metavar="NAME")],
           password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")]
           = False) -> None:
    """A new password (read from stdin); the user's open sessions end."""
    ended = _change(name, "passwd", password=_password_from_stdin(password_stdin))
    out.print(f"password of {name} changed; {ended} session(s) ended", highlight=False, markup=False)


@user_app.command("role")
def role(name: Annotated[str, typer.Argument(metavar="NAME")],
         new_role: Annotated[str, typer.Option("--role", help="clerk, branch_head or collector")],
         branch: Annotated[str | None, typer.Option("--branch", "-b", help="the branch of a clerk or branch head")]
         = None) -> None:
    """A new role (and branch); the user's open sessions end."""
    ended = _change(name, "role", role=new_role, branch_key=branch)
    out.print(f"user {name} is now {new_role}; {ended} session(s) ended", highlight=False, markup=False)


@user_app.command("remove")
def remove(name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Remove a user; their open sessions end."""
    ended = _change(name, "remove")
    out.print(f"user {name} removed; {ended} session(s) ended", highlight=False, markup=False)
