"""`nasti user add`: argon2id hashes, roles and branches checked, password only from stdin; authenticate."""
from __future__ import annotations

import subprocess
from pathlib import Path

from common import config as configmod
from store.db import Store
from store.users import authenticate, get
from tests.conftest import NASTI, write_config

BRANCHES = '[branches.revenue]\ncode = "REV"\nname_hi = "राजस्व शाखा"\nname_en = "Revenue"\n'


def _add(cfg: Path, *args: str, password: str = "s3cret-पासवर्ड") -> subprocess.CompletedProcess[str]:
    return subprocess.run([NASTI, "--config", str(cfg), "user", "add", *args], input=password + "\n",
                          capture_output=True, text=True, timeout=120)


def test_user_add_and_authenticate(tmp_path: Path) -> None:
    cfg_path = write_config(tmp_path, BRANCHES)
    assert _add(cfg_path, "rekha", "--role", "clerk", "--branch", "revenue", "--password-stdin").returncode == 0
    assert _add(cfg_path, "सुरेश", "--role", "branch_head", "--branch", "revenue", "--password-stdin").returncode == 0
    assert _add(cfg_path, "collector", "--role", "collector", "--password-stdin").returncode == 0
    bad = [
        ("rekha", "--role", "clerk", "--branch", "revenue", "--password-stdin"),   # exists
        ("x1", "--role", "admin", "--password-stdin"),                              # no such role
        ("x2", "--role", "clerk", "--password-stdin"),                              # clerk without a branch
        ("x3", "--role", "collector", "--branch", "revenue", "--password-stdin"),   # collector with a branch
        ("x4", "--role", "clerk", "--branch", "nowhere", "--password-stdin"),       # unknown branch
        ("x5", "--role", "collector"),                                              # password not from stdin
    ]
    for args in bad:
        r = _add(cfg_path, *args)
        assert r.returncode == 2 and r.stderr.startswith("nasti: "), (args, r.stderr)
    assert _add(cfg_path, "x6", "--role", "collector", "--password-stdin", password="short").returncode == 2
    cfg = configmod.load(str(cfg_path))
    with Store(cfg.store_url).session() as s:
        user = get(s, "सुरेश")
        assert user is not None and user.role == "branch_head" and user.branch.key == "revenue"
        assert user.password_hash.startswith("$argon2id$") and "s3cret" not in user.password_hash
        assert authenticate(s, "rekha", "s3cret-पासवर्ड").name == "rekha"
        assert authenticate(s, "rekha", "wrong") is None
        assert authenticate(s, "nobody", "s3cret-पासवर्ड") is None
        assert get(s, "x1") is None


def test_a_hindi_password_typed_with_a_precomposed_nukta_logs_in_either_way(tmp_path: Path) -> None:
    """`nasti user add` in a terminal whose keyboard gives ज़ as U+095B, and a browser giving ज + ़ (or the other
    way round): one password, so one login."""
    from store.db import Store
    from store.users import authenticate, create

    store = Store(f"sqlite:///{tmp_path / 'n.db'}")
    typed, other = "राज़-कोष-2026", "राज\u093c-कोष-2026"
    typed = typed.replace("ज\u093c", "\u095b")
    assert typed != other
    with store.session() as s:
        create(s, "ज़ाकिर", "collector", typed)
    with store.session() as s:
        assert authenticate(s, "ज़ाकिर", other) is not None
        assert authenticate(s, "ज़ाकिर", typed) is not None
        assert authenticate(s, "ज़ाकिर", "राज-कोष-2026") is None
