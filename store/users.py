"""Web users: create with an argon2id password hash, authenticate, look up."""
from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.models import Branch, Division, Office, User, utcnow

__all__ = ["ROLES", "UserError", "authenticate", "create", "get"]

ROLES = ("clerk", "branch_head", "collector", "commissioner", "state")
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
    if role not in ROLES:
        raise UserError(f"role '{role}': use one of {', '.join(ROLES)}")
    if role in ("clerk", "branch_head") and branch is None:
        raise UserError(f"a {role} belongs to a branch: give --branch KEY")
    if role in ("collector", "commissioner", "state") and branch is not None:
        raise UserError(f"a {role} sees every branch: no --branch")
    if role == "commissioner" and division is None:
        raise UserError("a commissioner belongs to a division: give --division KEY")
    if len(password) < 8:
        raise UserError("the password must have at least 8 characters")
    if s.scalar(select(User.id).where(User.name == name)) is not None:
        raise UserError(f"a user named '{name}' already exists")
    user = User(name=name, role=role, branch_id=branch.id if branch else None,
                office_id=office.id if office and role == "collector" else None,
                division_id=division.id if division and role == "commissioner" else None,
                password_hash=_hasher.hash(unicodedata.normalize("NFC", password)), created_at=utcnow())
    s.add(user)
    s.flush()
    return user


def get(s: Session, name: str) -> User | None:
    return s.scalar(select(User).options(selectinload(User.branch)).where(User.name == _nfc(name)))


def authenticate(s: Session, name: str, password: str) -> User | None:
    """The user if the password is right, else None (the same answer for an unknown name)."""
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
        if candidate != typed or _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(typed)
        return user
    return None
