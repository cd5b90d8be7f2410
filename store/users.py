"""Web users: create with an argon2id password hash (under a password policy), authenticate, look up; disable,
enable, new password, new role, remove — each of which ends the user's sessions at once."""
from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store import sessions
from store.models import Branch, Division, Office, User, utcnow

__all__ = [
    "ROLES",
    "UserError",
    "authenticate",
    "check_password",
    "create",
    "end_sessions",
    "get",
    "listing",
    "remove",
    "set_disabled",
    "set_password",
    "set_role",
]

ROLES = ("clerk", "branch_head", "collector", "commissioner", "state")
MAX_NAME = 100
_hasher = PasswordHasher()


class UserError(ValueError):
    """The user cannot be created; the message says why."""


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip()


def create(s: Session, name: str, role: str, password: str, branch: Branch | None = None,
           office: Office | None = None, division: Division | None = None) -> User:
    """``office``: a collector's (none: this deployment's own); ``division``: a commissioner's (required)."""
    name = _nfc(name)
    if not name:
        raise UserError("a user needs a name")
    if len(name) > MAX_NAME:  # the column's size (PostgreSQL refuses more; a login name is cut to it)
        raise UserError(f"a user name has at most {MAX_NAME} characters")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise UserError("a user name must not contain a line break, a tab or another control character")
    if role not in ROLES:
        raise UserError(f"role '{role}': use one of {', '.join(ROLES)}")
    if role in ("clerk", "branch_head") and branch is None:
        raise UserError(f"a {role} belongs to a branch: give --branch KEY")
    if role in ("collector", "commissioner", "state") and branch is not None:
        raise UserError(f"a {role} sees every branch: no --branch")
    if role == "commissioner" and division is None:
        raise UserError("a commissioner belongs to a division: give --division KEY")
    check_password(password, name)
    if s.scalar(select(User.id).where(User.name == name)) is not None:
        raise UserError(f"a user named '{name}' already exists")
    user = User(name=name, role=role, branch_id=branch.id if branch else None,
                office_id=office.id if office and role == "collector" else None,
                division_id=division.id if division and role == "commissioner" else None,
                password_hash=_hasher.hash(unicodedata.normalize("NFC", password)), created_at=utcnow())
    s.add(user)
    s.flush()
    return user


MIN_PASSWORD = 10
# The most common passwords of leaked lists (lower-cased), and the obvious local ones.
COMMON_PASSWORDS = frozenset("""
123456 123456789 12345678 1234567890 12345 1234567 password password1 password123 qwerty qwerty123 qwertyuiop
abc123 111111 000000 123123 iloveyou admin admin123 administrator welcome welcome123 letmein monkey dragon
football baseball sunshine princess 1q2w3e4r 1q2w3e4r5t zaq12wsx passw0rd p@ssw0rd p@ssword 1qaz2wsx
0123456789 9876543210 1111111111 0000000000 aaaaaaaaaa abcdefghij abcd1234 asdfghjkl india123 india@123
bharat123 hindustan jaihind123 collector collector123 nasti nasti123 nasti@123 password@123 admin@123
changeme changeme123 secret secret123 test1234 test@1234 मेरापासवर्ड पासवर्ड पासवर्ड123 पासवर्ड१२३ भारत123
""".split())


def check_password(password: str, name: str = "") -> None:
    """Refuse a password shorter than 10 characters, equal to (or built only from) the user name, or common."""
    typed = unicodedata.normalize("NFC", password)
    if len(typed) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    folded = typed.casefold()
    if name and _nfc(name).casefold() in (folded, folded.rstrip("0123456789!@#$%&*.-_ ")):
        raise UserError("the password must not be the user name")
    if folded in COMMON_PASSWORDS or folded.rstrip("0123456789!@#") in COMMON_PASSWORDS:
        raise UserError("that password is too common: choose another")


def listing(s: Session) -> list[User]:
    return list(s.scalars(select(User).options(selectinload(User.branch)).order_by(User.name)))


def set_disabled(s: Session, user: User, disabled: bool) -> int:
    """Disable (or enable) the user; disabling ends their sessions. The number of sessions ended."""
    user.disabled = disabled
    return sessions.end_for_user(s, user.id) if disabled else 0


def set_password(s: Session, user: User, password: str) -> int:
    """A new password (under the policy); every session of the user ends."""
    check_password(password, user.name)
    user.password_hash = _hasher.hash(unicodedata.normalize("NFC", password))
    return sessions.end_for_user(s, user.id)


def set_role(s: Session, user: User, role: str, branch: Branch | None) -> int:
    """A new role (and branch); every session of the user ends."""
    if role not in ROLES:
        raise UserError(f"role '{role}': use one of {', '.join(ROLES)}")
    if role in ("clerk", "branch_head") and branch is None:
        raise UserError(f"a {role} belongs to a branch: give --branch KEY")
    if role == "collector" and branch is not None:
        raise UserError("a collector sees every branch: no --branch")
    user.role, user.branch_id = role, branch.id if branch else None
    return sessions.end_for_user(s, user.id)


def end_sessions(s: Session, user: User) -> int:
    return sessions.end_for_user(s, user.id)


def remove(s: Session, user: User) -> None:
    sessions.end_for_user(s, user.id)
    s.delete(user)
    s.flush()


def get(s: Session, name: str) -> User | None:
    return s.scalar(select(User).options(selectinload(User.branch)).where(User.name == _nfc(name)))


def authenticate(s: Session, name: str, password: str) -> User | None:
    """The user if the password is right and the user is not disabled, else None (the same answer, in the same
    time, for an unknown name)."""
    user = get(s, name)
    typed = unicodedata.normalize("NFC", password)  # ज़ as U+095B or as ज + nukta: one password
    candidates = list(dict.fromkeys((typed, password)))  # the raw form: a hash made before passwords were NFC
    if user is None:
        for candidate in candidates:  # spend the same time as a real check
            _hasher.hash(candidate)
        return None
    for candidate in candidates:
        try:
            _hasher.verify(user.password_hash, candidate)
        except (VerificationError, InvalidHashError):
            continue
        if user.disabled:
            return None
        if candidate != typed or _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(typed)
        return user
    return None
