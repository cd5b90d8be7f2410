"""Is the share on a network file system? inotify does not see writes made by another machine there."""
from __future__ import annotations

import os
from pathlib import Path

NETWORK_FS = {"cifs", "smb", "smb2", "smb3", "smbfs", "nfs", "nfs4", "afs", "ncpfs", "9p", "fuse.sshfs",
              "fuse.rclone", "fuse.s3fs", "fuse.gvfsd-fuse", "davfs", "fuse.davfs2", "glusterfs", "ceph",
              "fuse.glusterfs", "fuse.cephfs", "lustre", "beegfs", "gpfs"}


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def fs_type(path: Path, mounts_file: Path = Path("/proc/self/mounts")) -> str | None:
    """The file-system type of the mount that holds `path` (longest matching mount point)."""
    try:
        lines = mounts_file.read_text().splitlines()
    except OSError:
        return None
    target = os.path.realpath(path)
    best, best_type = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = _unescape(fields[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, fields[2]
    return best_type


def is_network(path: Path, mounts_file: Path = Path("/proc/self/mounts")) -> bool:
    return (fs_type(path, mounts_file) or "") in NETWORK_FS
