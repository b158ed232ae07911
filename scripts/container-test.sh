#!/usr/bin/env bash
# npm run test:container — the real Dockerfile, built and run without a Docker engine or a registry
# (Debian's podman and buildah, chroot isolation; run as root), then proven from outside:
#   health passes; sign in and refresh; SIGTERM in the middle of traffic, start again on the same
#   volume: the session from before still refreshes and no request got a 5xx; the server runs as a
#   non-root uid; the image's own health check command passes.
# The base image `node:20-bookworm-slim` is stood in for by a debootstrapped Debian bookworm (from
# the mirror this machine's apt configuration names) plus this machine's own Node.js runtime.
# Everything it starts it stops by its own process group or container id.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=docker.io/library/node:20-bookworm-slim
IMAGE=localhost/staysignedin:test
PORT=${CONTAINER_TEST_PORT:-$((3600 + RANDOM % 300))}
WORK=$(mktemp -d /tmp/staysignedin-container.XXXXXX)
ROOTFS=${ROOTFS:-$WORK/rootfs}
VOLUME_DIR=$WORK/data
LOG=$WORK/server.log
SECRET=$(openssl rand -base64 48)
ADMIN_PASSWORD='container test password'
CTR=''
SERVER_PGID=''

step() { printf '\n━━ %s\n' "$1"; }
fail() {
  printf '\n✖ %s\n' "$1" >&2
  [ -f "$LOG" ] && tail -40 "$LOG" >&2
  exit 1
}

stop_server() {
  # Only the process group this script started (setsid below), never anything matched by name.
  if [ -n "$SERVER_PGID" ] && kill -0 -- "-$SERVER_PGID" 2>/dev/null; then
    kill -TERM -- "-$SERVER_PGID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 -- "-$SERVER_PGID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PGID" 2>/dev/null || true
  fi
  SERVER_PGID=''
}
cleanup() {
  stop_server
  [ -n "$CTR" ] && buildah rm "$CTR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail 'run as root: podman and buildah build with chroot isolation (sudo npm run test:container)'
if ! command -v podman >/dev/null || ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  step 'installing podman, buildah and debootstrap (Debian packages)'
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq podman buildah debootstrap >/dev/null
fi

debian_mirror() {
  # The first plain Debian archive this machine's apt uses (deb822 sources first, then sources.list).
  local mirror
  mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ { print ($2 ~ /^\[/ ? $3 : $2); exit }' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || fail 'no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list'
  printf '%s' "$mirror"
}

if ! podman image exists "$BASE"; then
  step "assembling a stand-in for $BASE"
  MIRROR=$(debian_mirror)
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || fail "debootstrap failed (see $WORK/debootstrap.log)"
  NODE_BIN=$(command -v node)
  NODE_PREFIX=$(dirname "$(dirname "$(readlink -f "$NODE_BIN")")")
  install -D "$(readlink -f "$NODE_BIN")" "$ROOTFS/usr/local/bin/node"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include" "$ROOTFS/usr/local/etc"
  cp -a "$NODE_PREFIX/lib/node_modules/npm" "$ROOTFS/usr/local/lib/node_modules/"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  # Offline: node-gyp builds better-sqlite3 against these headers instead of downloading them.
  cp -a "$NODE_PREFIX/include/node" "$ROOTFS/usr/local/include/node"
  # This machine's certificate authorities (its registry may be reached through a proxy with its own
  # CA): the bundle npm is pointed at, and the extra CAs, so a rebuilt bundle keeps them.
  mkdir -p "$ROOTFS/etc/ssl/certs" "$ROOTFS/usr/local/share/ca-certificates"
  cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  cp -a /usr/local/share/ca-certificates/. "$ROOTFS/usr/local/share/ca-certificates/" 2>/dev/null || true
  # npm reaches the registry this machine's npm is configured for.
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr/local\nregistry=%s\n' "$(npm config get registry)" >"$ROOTFS/usr/local/etc/npmrc"
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  chroot "$ROOTFS" sh -c 'id node >/dev/null 2>&1 || (groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node)'
  tar -C "$ROOTFS" -c . | podman import - "$BASE" >/dev/null
  rm -rf "$ROOTFS"
fi

step 'building the Dockerfile (podman build --isolation=chroot --pull=never --format docker: HEALTHCHECK needs the Docker format)'
podman build --isolation=chroot --pull=never --format docker -t "$IMAGE" . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail 'the image did not build'; }
SIZE=$(podman image inspect "$IMAGE" --format '{{.Size}}')
BASE_SIZE=$(podman image inspect "$BASE" --format '{{.Size}}')
APP_MB=$(( (SIZE - BASE_SIZE) / 1000 / 1000 ))
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | cut -c1-150 | head -20
printf 'image size: %s MB, of which the application layers %s MB\n' "$((SIZE / 1000 / 1000))" "$APP_MB"
# The bound the lean image was built to (docs/operations.md, "The image"): it must not creep back.
[ "$APP_MB" -le "${MAX_APP_LAYERS_MB:-120}" ] || fail "the application layers are $APP_MB MB (bound: ${MAX_APP_LAYERS_MB:-120} MB)"

CTR=$(buildah from "$IMAGE")
mkdir -p "$VOLUME_DIR" && chown 1000:1000 "$VOLUME_DIR"

server_rss_mb() {
  ps -o rss=,comm= -g "$SERVER_PGID" | awk '$2 ~ /node|next-server/ { kb += $1 } END { printf "%d", kb / 1024 }'
}

start_server() {
  STARTED_AT=$(date +%s%N)
  # Its own session (setsid), so the whole container process tree can be signalled as one group.
  setsid buildah run --isolation=chroot -v "$VOLUME_DIR:/app/data" \
    --env AUTH_SECRET="$SECRET" --env PORT="$PORT" --env ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    "$CTR" -- node scripts/run-app.mjs start >>"$LOG" 2>&1 &
  SERVER_PGID=$!
  for _ in $(seq 1 90); do
    if curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null; then
      echo "healthy $(( ($(date +%s%N) - STARTED_AT) / 1000000 )) ms after the start"
      return 0
    fi
    kill -0 "$SERVER_PGID" 2>/dev/null || fail 'the server exited while starting'
    sleep 1
  done
  fail 'the server did not become healthy within 90 s'
}

json_field() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s)[process.argv[1]];if(v===undefined)process.exit(1);console.log(v)})" "$1"; }

step 'starting the image (its own command) on a fresh volume'
start_server
curl -sf "http://127.0.0.1:$PORT/api/health" | grep -q '"ok"' || fail 'health did not answer ok'
TOKENS=$(curl -sf "http://127.0.0.1:$PORT/api/auth/token" -d "username=admin&password=$ADMIN_PASSWORD") || fail 'sign-in failed'
REFRESH=$(printf '%s' "$TOKENS" | json_field refresh_token)
REFRESHED=$(curl -sf "http://127.0.0.1:$PORT/api/auth/refresh" -H 'content-type: application/json' \
  -d "{\"refresh_token\":\"$REFRESH\"}") || fail 'refresh failed'
REFRESH=$(printf '%s' "$REFRESHED" | json_field refresh_token)
ACCESS=$(printf '%s' "$REFRESHED" | json_field access_token)
echo 'health ok, signed in, refreshed'
sleep 2
IDLE_RSS=$(server_rss_mb)
echo "server RSS idle: $IDLE_RSS MB"

step 'the process runs as a non-root user, and the image health check passes'
# The node processes of the container (buildah itself, the launcher, runs as root on the host).
SERVER_UIDS=$(ps -o uid=,comm= -g "$SERVER_PGID" | awk '$2 == "node" { print $1 }' | sort -u | tr '\n' ' ')
[ -n "$SERVER_UIDS" ] || fail 'no server process found in the container'
case " $SERVER_UIDS " in *' 0 '*) fail "the server runs as root (uids: $SERVER_UIDS)";; esac
echo "server processes run as uid $SERVER_UIDS"
HEALTHCHECK=$(podman image inspect "$IMAGE" --format '{{join .Config.Healthcheck.Test " "}}')
case "$HEALTHCHECK" in *scripts/healthcheck.mjs*) ;; *) fail "unexpected HEALTHCHECK: $HEALTHCHECK";; esac
buildah run --isolation=chroot --env PORT="$PORT" "$CTR" -- node scripts/healthcheck.mjs || fail 'the HEALTHCHECK command failed'
echo 'HEALTHCHECK command passed'

step 'SIGTERM in the middle of traffic, then start again on the same volume'
STATUSES=$WORK/statuses
( for _ in $(seq 1 400); do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 "http://127.0.0.1:$PORT/api/auth/me" -H "authorization: Bearer $ACCESS" || true
  done ) >"$STATUSES" &
TRAFFIC=$!
sleep 1
LOAD_RSS=$(server_rss_mb)
STOPPED_AT=$(date +%s%N)
stop_server
echo "stopped in $(( ($(date +%s%N) - STOPPED_AT) / 1000000 )) ms"
wait "$TRAFFIC" || true
echo "server RSS under the traffic before the stop: ${LOAD_RSS:-?} MB"
if grep -q '^5' "$STATUSES"; then fail "a request got a 5xx during shutdown: $(sort "$STATUSES" | uniq -c | tr '\n' ' ')"; fi
echo "statuses during shutdown: $(sort "$STATUSES" | uniq -c | tr '\n' ' ')"
start_server
AGAIN=$(curl -s -o "$WORK/again.json" -w '%{http_code}' "http://127.0.0.1:$PORT/api/auth/refresh" \
  -H 'content-type: application/json' -d "{\"refresh_token\":\"$REFRESH\"}")
[ "$AGAIN" = 200 ] || fail "the session from before the restart did not refresh (status $AGAIN: $(cat "$WORK/again.json"))"
echo 'the session from before the restart still refreshes: nobody was signed out'
stop_server

printf '\n✔ container: builds (application layers %s MB), serves as uid 1000, health check passes, survives SIGTERM and restart (idle RSS %s MB)\n' "$APP_MB" "$IDLE_RSS"
