#!/usr/bin/env bash
# Builds Intake's container image (deploy/Containerfile) with podman from a built binary, and
# smoke-tests it the way these machines allow (`podman run` fails on cgroups here): mounts the
# image, runs its own binary inside the image's filesystem with chroot as the image's user,
# `serve` on a loopback port against a scratch SQLite file, and checks that /readyz answers.
#
#   scripts/image.sh BINARY [TAG]       e.g. scripts/image.sh target/release/intake localhost/intake:test
#
# Prints the image's size. Needs root (podman's storage, chroot, a bind mount).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:?usage: scripts/image.sh BINARY [TAG]}
tag=${2:-localhost/intake:test}
uid=10001

work=$(mktemp -d)
server_pid=""
mounted=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$mounted" ]; then podman image unmount "$tag" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The build context: rootfs/ is copied to / as root-owned, data/ to /var/lib/intake as the user.
root="$work/context/rootfs"
mkdir -p "$root/usr/bin" "$root/etc/ssl/certs" "$root/usr/share/intake" "$root/tmp" "$work/context/data"
chmod 1777 "$root/tmp"
install -m 0755 "$binary" "$root/usr/bin/intake"
# Symbols are for debuggers, not for running: a third of the binary.
if command -v strip >/dev/null; then strip --strip-all "$root/usr/bin/intake"; fi
# The dynamic loader and the libraries the binary links, as this machine's Debian ships them.
for lib in $(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  cp --parents -L "$lib" "$root/"
done
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
cp -r /usr/share/zoneinfo "$root/usr/share/"
cp -r forms "$root/usr/share/intake/forms"
printf 'root:x:0:0::/:/nonexistent\nintake:x:%s:%s:Intake:/var/lib/intake:/nonexistent\n' "$uid" "$uid" >"$root/etc/passwd"
printf 'root:x:0:\nintake:x:%s:\n' "$uid" >"$root/etc/group"

podman build --quiet -f deploy/Containerfile -t "$tag" "$work/context" >/dev/null
size=$(podman image inspect --format '{{.Size}}' "$tag")
echo "image $tag: $((size / 1024 / 1024)) MiB ($size bytes)"

# Nothing but what the Containerfile names: no shell, no package manager.
mnt=$(podman image mount "$tag")
mounted=1
for absent in bin/sh usr/bin/apt-get usr/bin/dpkg; do
  if [ -e "$mnt/$absent" ]; then echo "the image has /$absent" >&2; exit 1; fi
done
[ "$(podman image inspect --format '{{.Config.User}}' "$tag")" = "$uid:$uid" ] || { echo "the image does not run as $uid" >&2; exit 1; }

# Serve from inside the image's filesystem, with the image's environment, as its user, on a
# private mount namespace whose only writable place is a scratch /var/lib/intake.
data="$work/data"
mkdir -p "$data" && chown "$uid:$uid" "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mapfile -t image_env < <(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$tag" | sed '/^$/d')
env -i "${image_env[@]}" INTAKE_ADDR="127.0.0.1:$port" DATABASE_URL=sqlite:/var/lib/intake/smoke.db \
  unshare --mount sh -c 'mount --bind "$1" "$2/var/lib/intake" && exec chroot --userspec="$3:$3" "$2" /usr/bin/intake serve' \
  smoke "$data" "$mnt" "$uid" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null | grep -qx ready; then
    echo "smoke test: /readyz answered 'ready' from the image's binary as $uid, on SQLite"
    [ -s "$data/smoke.db" ] || { echo "no database file was written" >&2; exit 1; }
    exit 0
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.2
done
echo "smoke test failed: /readyz did not answer; the server said:" >&2
cat "$work/serve.log" >&2
exit 1
