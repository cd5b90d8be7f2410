#!/usr/bin/env bash
# Installs nasti as two systemd services on a Debian 12 server (run as root from a clone of the repository):
#
#   sudo deploy/install-service.sh --share /srv/nasti/share [--prefix /opt/nasti] [--no-start]
#
#   /opt/nasti                  the code and its .venv (root-owned; a copy of this checkout)
#   /etc/nasti/config.toml      the configuration (root:nasti 0640; kept if it exists)
#   /var/lib/nasti/db           the SQLite database        (user nasti)
#   /var/lib/nasti/archive      originals + searchable PDFs (user nasti)
#   /var/log/nasti              nasti.log (watch) and serve.log, rotated by nasti ([log] in the config)
#   nasti-watch.service, nasti-serve.service, nasti-worker.service  in /etc/systemd/system
#
# --worker: this machine is an OCR worker of a scale-out site ([queue] backend = "celery"): only nasti-worker is
# enabled (the watcher and the dashboard run on one machine; workers never migrate the database).
#
# The share must be mounted at --share before the watcher starts (an /etc/fstab line or a .mount unit;
# the watcher's unit has RequiresMountsFor= on it). DESTDIR=/some/dir installs into a staging root instead
# (no user, no systemctl): that is how tests/test_deploy.py checks this script.
set -euo pipefail

SHARE=/srv/nasti/share
PREFIX=/opt/nasti
START=1
WORKER=0
while [ $# -gt 0 ]; do
  case "$1" in
    --share) SHARE=$2; shift 2 ;;
    --prefix) PREFIX=$2; shift 2 ;;
    --no-start) START=0; shift ;;
    --worker) WORKER=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "install-service: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
SRC=$(cd "$(dirname "$0")/.." && pwd)
D=${DESTDIR:-}
USER_NAME=${NASTI_USER:-nasti}

if [ -z "$D" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-service: run as root (sudo $0 …)" >&2; exit 2
fi

# 1. the code and its virtualenv
if [ "$SRC" != "$PREFIX" ]; then
  mkdir -p "$D$PREFIX"
  tar -C "$SRC" --exclude=./.venv --exclude=./var --exclude=./share --exclude=./test-output --exclude=./.git \
      -cf - . | tar -C "$D$PREFIX" -xf -
fi
if [ -z "$D" ]; then
  (cd "$PREFIX" && scripts/setup.sh)
fi

# 2. the service user and its folders
if [ -z "$D" ] && ! id "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/nasti --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
fi
OWNER=()
[ -z "$D" ] && OWNER=(-o "$USER_NAME" -g "$USER_NAME")
install -d -m 0750 "${OWNER[@]}" "$D/var/lib/nasti" "$D/var/lib/nasti/db" "$D/var/lib/nasti/archive" \
  "$D/var/log/nasti"
install -d -m 0750 "$D/etc/nasti"
[ -z "$D" ] && chgrp "$USER_NAME" "$D/etc/nasti"

# 3. the configuration (an existing one is kept)
if [ ! -e "$D/etc/nasti/config.toml" ]; then
  sed "s|/srv/nasti/share|$SHARE|g" "$SRC/deploy/config.toml" > "$D/etc/nasti/config.toml"
  chmod 0640 "$D/etc/nasti/config.toml"
  [ -z "$D" ] && chgrp "$USER_NAME" "$D/etc/nasti/config.toml"
  echo "install-service: wrote /etc/nasti/config.toml — add your office, cutover and [branches.*] to it"
else
  echo "install-service: keeping the existing /etc/nasti/config.toml"
fi

# 4. the units, with this server's paths
mkdir -p "$D/etc/systemd/system"
for unit in nasti-watch.service nasti-serve.service nasti-worker.service; do
  sed -e "s|/srv/nasti/share|$SHARE|g" -e "s|/opt/nasti|$PREFIX|g" -e "s|^User=nasti|User=$USER_NAME|" \
      -e "s|^Group=nasti|Group=$USER_NAME|" "$SRC/deploy/systemd/$unit" > "$D/etc/systemd/system/$unit"
done
if command -v systemd-analyze >/dev/null; then  # it warns (exit 0) on a bad line: any output is a failure
  problems=$(systemd-analyze verify "$D/etc/systemd/system/nasti-watch.service" \
             "$D/etc/systemd/system/nasti-serve.service" "$D/etc/systemd/system/nasti-worker.service" 2>&1 || true)
  if [ -n "$problems" ]; then echo "install-service: the units do not verify:" >&2; echo "$problems" >&2; exit 1; fi
fi
[ -n "$D" ] && { echo "install-service: staged in $D"; exit 0; }

# 5. the schema (the one step that changes it), a check, and the services
if [ "$WORKER" = 1 ]; then   # a worker machine: the server migrates, the worker only reads batches
  systemctl daemon-reload
  [ "$START" = 1 ] && systemctl enable --now nasti-worker.service
  echo "install-service: worker installed. Logs: journalctl -u nasti-worker -f"
  exit 0
fi
runuser -u "$USER_NAME" -- "$PREFIX/.venv/bin/nasti" --config /etc/nasti/config.toml migrate
runuser -u "$USER_NAME" -- "$PREFIX/.venv/bin/nasti" --config /etc/nasti/config.toml doctor || \
  echo "install-service: nasti doctor found problems (above); the services start once they are fixed"
systemctl daemon-reload
if [ "$START" = 1 ]; then
  systemctl enable --now nasti-watch.service nasti-serve.service
  systemctl --no-pager status nasti-watch.service nasti-serve.service | head -20 || true
fi
echo "install-service: done. Logs: journalctl -u nasti-watch -f; /var/log/nasti/nasti.log"
