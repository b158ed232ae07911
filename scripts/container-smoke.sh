#!/usr/bin/env bash
# Builds the Dockerfile and smoke-tests the image without a Docker engine (Debian's podman and
# buildah, chroot isolation) and without a registry: the base image `node:20-bookworm-slim` is
# stood in for by a debootstrapped Debian bookworm plus this machine's own Node.js runtime.
# Not part of `npm test` (it takes ~10 minutes); run as root:  npm run test:container
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=docker.io/library/node:20-bookworm-slim
ROOTFS=${ROOTFS:-/tmp/staysignedin-rootfs}
PORT=${PORT:-3555}

if ! command -v podman >/dev/null || ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah debootstrap >/dev/null
fi

if ! podman image exists "$BASE"; then
  echo "== assembling a stand-in for $BASE"
  [ -d "$ROOTFS/usr" ] || debootstrap --variant=minbase bookworm "$ROOTFS" http://deb.debian.org/debian >/dev/null
  install -D /usr/bin/node "$ROOTFS/usr/local/bin/node"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include" "$ROOTFS/usr/local/etc"
  cp -a /usr/lib/node_modules/npm "$ROOTFS/usr/local/lib/node_modules/"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  # Offline: node-gyp builds better-sqlite3 against local headers instead of downloading them.
  cp -a /usr/include/node "$ROOTFS/usr/local/include/node"
  cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/" 2>/dev/null || true
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr/local\n' >"$ROOTFS/usr/local/etc/npmrc"
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  chroot "$ROOTFS" sh -c 'id node >/dev/null 2>&1 || (groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node)'
  tar -C "$ROOTFS" -c . | podman import - "$BASE" >/dev/null
fi

echo "== building the image"
podman build --isolation=chroot --pull=never -t staysignedin:smoke . >/tmp/staysignedin-build.log 2>&1 ||
  { tail -40 /tmp/staysignedin-build.log; exit 1; }

echo "== running it (the image's own command) and signing in"
CTR=$(buildah from localhost/staysignedin:smoke)
trap 'pkill -f "scripts/run-app.mjs start" || true; buildah rm "$CTR" >/dev/null' EXIT
buildah run --isolation=chroot --env AUTH_SECRET="$(openssl rand -base64 48)" --env PORT="$PORT" \
  --env ADMIN_PASSWORD='container smoke test' "$CTR" -- node scripts/run-app.mjs start >/tmp/staysignedin-ctr.log 2>&1 &
for _ in $(seq 1 60); do curl -sf "localhost:$PORT/api/health" >/dev/null && break; sleep 1; done
curl -sf "localhost:$PORT/api/health" || { cat /tmp/staysignedin-ctr.log; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "localhost:$PORT/api/auth/token" -d 'username=admin&password=container smoke test')
[ "$code" = 200 ] || { echo "sign-in answered $code"; cat /tmp/staysignedin-ctr.log; exit 1; }
[ "$(buildah run --isolation=chroot "$CTR" -- id -u)" = 1000 ] || { echo "the image does not run as node"; exit 1; }
echo
echo "✔ the image builds, migrates, starts as an unprivileged user, and signs in"
