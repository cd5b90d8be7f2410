"""Network shares: polling is chosen on SMB/NFS mounts, and a file copied slowly over 30 s is taken once, whole."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

from watchdog.observers.polling import PollingObserver

from common.config import WatchConfig
from nasti.samples import make_letter, render_page, save_document
from tests.conftest import Office, wait_for
from watch_folder.mounts import fs_type, is_network
from watch_folder.service import make_observer

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
//fileserver/scans /mnt/office\\040share cifs rw,vers=3.0 0 0
server:/export /srv/nfs nfs4 rw 0 0
user@host:/data /mnt/ssh fuse.sshfs rw 0 0
"""


def test_network_mounts_are_recognised(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(MOUNTS)
    assert fs_type(Path("/mnt/office share/revenue"), mounts) == "cifs"
    assert is_network(Path("/mnt/office share/revenue"), mounts)
    assert is_network(Path("/srv/nfs/x"), mounts) and is_network(Path("/mnt/ssh"), mounts)
    assert not is_network(Path("/srv/local"), mounts)


def test_polling_is_used_when_asked(tmp_path: Path) -> None:
    assert isinstance(make_observer(tmp_path, WatchConfig(mode="polling")), PollingObserver)
    assert not isinstance(make_observer(tmp_path, WatchConfig(mode="native")), PollingObserver)


def test_a_slow_copy_over_30_seconds_is_taken_once_whole(tmp_path: Path) -> None:
    root = tmp_path / "slow"
    (root / "share" / "revenue").mkdir(parents=True)
    cfg = root / "config.toml"
    cfg.write_text('[share]\npath = "share"\n[store]\nurl = "sqlite:///var/nasti.db"\n[archive]\npath = "var/arc"\n'
                   '[watch]\nmode = "polling"\nquiet_seconds = 3\nrecheck_seconds = 1\npoll_interval = 1\n')
    office = Office(root, cfg)
    pages = [render_page(make_letter(s, "hi").lines) for s in (11, 12, 13)]
    whole = save_document(pages, tmp_path / "whole.pdf", "pdf").read_bytes()
    proc = office.popen("watch")
    try:
        target = office.share / "revenue" / "slow copy.pdf"
        step = len(whole) // 30 + 1
        with open(target, "wb") as fh:
            for i in range(0, len(whole), step):       # 30 chunks, one a second, like a slow SMB copy
                fh.write(whole[i:i + step])
                fh.flush()
                time.sleep(1.0)
        docs = wait_for(lambda: [d for d in office.documents() if d["status"] in ("done", "rejected")], 180)
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    assert len(office.documents()) == 1
    [doc] = docs
    assert doc["status"] == "done", doc["reason"]
    assert doc["sha256"] == hashlib.sha256(whole).hexdigest() and doc["pages"] == 3
