#!/usr/bin/env bash
# npm run test:container — the real Dockerfile, built and run without a Docker engine or a registry
# (Debian's podman and buildah, chroot isolation; run as root), then proven from outside:
#   health passes; sign in and refresh; SIGTERM in the middle of traffic, start again on the same
#   volume: the session from before still refreshes and no request got a 5xx; the server runs as a
#   non-root uid; the image's own health check command passes. Then docker-compose.proxy.yml, run
#   for real with Debian's podman-compose: PostgreSQL, two app replicas and nginx over TLS (see the
#   compose section below for what it proves).
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
COMPOSE_PROJECT=ssi-compose-$$
compose_down() {
  # Only what this run's project made: its containers, its volume, its network (by label and name).
  local ids
  ids=$(podman ps -a -q --filter "label=io.podman.compose.project=$COMPOSE_PROJECT" 2>/dev/null || true)
  [ -n "$ids" ] && podman rm -f -t 5 $ids >/dev/null 2>&1 || true
  podman volume rm -f "${COMPOSE_PROJECT}_pgdata" >/dev/null 2>&1 || true
  podman network rm -f "${COMPOSE_PROJECT}_default" >/dev/null 2>&1 || true
}
cleanup() {
  stop_server
  compose_down
  [ -n "$CTR" ] && buildah rm "$CTR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail 'run as root: podman and buildah build with chroot isolation (sudo npm run test:container)'
if ! command -v podman >/dev/null || ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null ||
  ! command -v podman-compose >/dev/null || ! command -v runc >/dev/null; then
  step 'installing podman, buildah, podman-compose, runc and debootstrap (Debian packages)'
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq podman buildah podman-compose runc debootstrap >/dev/null
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

step 'an online backup from inside the running image (docs/operations.md, "Backup and restore")'
buildah run --isolation=chroot -v "$VOLUME_DIR:/app/data" "$CTR" -- node scripts/db-backup.mjs backup --to /app/data/backup.db \
  >"$WORK/backup.log" 2>&1 || { cat "$WORK/backup.log"; fail 'the backup command failed inside the image'; }
grep -q 'backed up' "$WORK/backup.log" && [ -s "$VOLUME_DIR/backup.db" ] || fail "no backup was written: $(cat "$WORK/backup.log")"
grep -o 'Session [0-9]*' "$WORK/backup.log" | grep -qv 'Session 0' || fail "the backup holds no session: $(cat "$WORK/backup.log")"
echo "backed up while serving: $(tail -1 "$WORK/backup.log" | sed 's/^ *//')"
stop_server

# ── docker-compose.proxy.yml, run for real ─────────────────────────────────────────────────────
# Containers run here with runc (crun cannot set this sandbox's rlimits nor use its cgroups) and
# ulimits no higher than the machine's own; podman reads both from this file.
export CONTAINERS_CONF=$WORK/containers.conf
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n' \
  "$(ulimit -n)" "$(ulimit -Hn)" >"$CONTAINERS_CONF"
PG_IMAGE=docker.io/library/postgres:15
NGINX_IMAGE=docker.io/library/nginx:1.27
# Rebuilt when its recipe changes (this script's stand-in section or the entrypoint): the id is a label.
STAND_IN=$( (sed -n '/^# ── docker-compose.proxy.yml/,/^step .docker-compose.proxy.yml/p' "$0"; cat scripts/postgres-stand-in-entrypoint.sh) | sha256sum | cut -c1-16)
stand_in_current() {
  [ "$(podman image inspect "$1" --format '{{index .Config.Labels "stand-in"}}' 2>/dev/null)" = "$STAND_IN" ]
}
if ! stand_in_current "$PG_IMAGE" || ! stand_in_current "$NGINX_IMAGE"; then
  step "assembling stand-ins for $PG_IMAGE and $NGINX_IMAGE (Debian's postgresql-15 and nginx-light)"
  SERVICES_ROOT=$WORK/services-rootfs
  debootstrap --variant=minbase --include=postgresql-15,nginx-light bookworm "$SERVICES_ROOT" "$(debian_mirror)" \
    >"$WORK/debootstrap-services.log" 2>&1 || fail "debootstrap failed (see $WORK/debootstrap-services.log)"
  # Debian's own default cluster and site are not the official images'.
  rm -rf "$SERVICES_ROOT/var/cache/apt/archives/"*.deb "$SERVICES_ROOT/var/lib/postgresql/15" \
    "$SERVICES_ROOT/etc/postgresql/15" "$SERVICES_ROOT/etc/nginx/sites-enabled/default"
  install -m 755 scripts/postgres-stand-in-entrypoint.sh "$SERVICES_ROOT/usr/local/bin/docker-entrypoint.sh"
  tar -C "$SERVICES_ROOT" -c . >"$WORK/services.tar"
  # As the official image: PostgreSQL's own programs first on PATH, SIGINT (a fast shutdown) to stop.
  podman import --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' --change 'EXPOSE 5432' --change 'STOPSIGNAL SIGINT' \
    --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL stand-in=$STAND_IN" "$WORK/services.tar" "$PG_IMAGE" >/dev/null
  podman import --change 'CMD ["nginx", "-g", "daemon off;"]' --change 'EXPOSE 443' --change "LABEL stand-in=$STAND_IN" \
    "$WORK/services.tar" "$NGINX_IMAGE" >/dev/null
  rm -rf "$SERVICES_ROOT" "$WORK/services.tar"
fi

step 'docker-compose.proxy.yml with podman-compose: PostgreSQL, two app replicas, nginx over TLS'
# The app image just built, under the name the compose file gives it (so it is not built again).
podman tag "$IMAGE" localhost/staysignedin:latest
export TLS_DIR=$WORK/tls HTTPS_PORT=$((PORT + 1000)) AUTH_SECRET=$SECRET ADMIN_PASSWORD
METRICS_TOKEN=$(openssl rand -hex 24)
export METRICS_TOKEN
POSTGRES_PASSWORD=$(openssl rand -hex 16)
export POSTGRES_PASSWORD
mkdir -p "$TLS_DIR"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
  -keyout "$TLS_DIR/tls.key" -out "$TLS_DIR/tls.crt" 2>/dev/null
chmod 644 "$TLS_DIR/tls.key"
COMPOSE=(podman-compose -p "$COMPOSE_PROJECT" -f docker-compose.proxy.yml)
# The database first: podman-compose does not wait for a health check.
"${COMPOSE[@]}" up -d db >"$WORK/compose.log" 2>&1 || { cat "$WORK/compose.log"; fail 'compose could not start the database'; }
DB_CTR=${COMPOSE_PROJECT}_db_1
# initdb, then a start, a createdb and a restart inside the stand-in: slow on a loaded machine.
for _ in $(seq 1 120); do
  podman exec "$DB_CTR" pg_isready -U staysignedin -d staysignedin >/dev/null 2>&1 && break
  sleep 1
done
podman exec "$DB_CTR" pg_isready -U staysignedin -d staysignedin >/dev/null || {
  cat "$WORK/compose.log"
  printf -- '--- db (%s)\n' "$(podman inspect "$DB_CTR" --format '{{.State.Status}} exit={{.State.ExitCode}} restarts={{.RestartCount}} {{.State.Error}}' 2>&1)"
  podman logs "$DB_CTR" 2>&1 | tail -40
  LOG='' fail 'PostgreSQL did not become ready'; }
"${COMPOSE[@]}" up -d >>"$WORK/compose.log" 2>&1 || { cat "$WORK/compose.log"; fail 'compose up failed'; }
PROXY="https://localhost:$HTTPS_PORT"
CURL=(curl -s --cacert "$TLS_DIR/tls.crt" --max-time 10)
proxy_healthy() {
  for _ in $(seq 1 "$1"); do
    "${CURL[@]}" -f "$PROXY/api/health" >/dev/null 2>&1 && "${CURL[@]}" -f "$PROXY/api/health" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}
# A replica's own health, from inside it (the image's HEALTHCHECK command).
replica_healthy() {
  for _ in $(seq 1 60); do
    podman exec "${COMPOSE_PROJECT}_$1_1" node scripts/healthcheck.mjs >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}
# Each service's state, restarts and last log lines: what a failure below needs explained.
show_services() {
  for service in app1 app2 proxy; do
    printf -- '--- %s (%s)\n' "$service" "$(podman inspect "${COMPOSE_PROJECT}_${service}_1" --format '{{.State.Status}} restarts={{.RestartCount}}' 2>&1)"
    podman logs "${COMPOSE_PROJECT}_${service}_1" 2>&1 | grep -v 'level=error' | tail -25
  done
}
replica_healthy app1 && replica_healthy app2 && proxy_healthy 30 || {
  show_services
  fail 'the replicas did not become healthy behind the proxy'; }
echo "two replicas healthy behind nginx at $PROXY"

HEADERS=$WORK/sign-in.headers
SIGNED=$("${CURL[@]}" -D "$HEADERS" "$PROXY/api/auth/token" -d "username=admin&password=$ADMIN_PASSWORD") || fail 'sign-in through the proxy failed'
P_REFRESH=$(printf '%s' "$SIGNED" | json_field refresh_token) || fail "sign-in through the proxy failed: $SIGNED"
P_ACCESS=$(printf '%s' "$SIGNED" | json_field access_token)
grep -qi '^set-cookie:.*; Secure' "$HEADERS" || fail 'the cookie set through the TLS proxy is not Secure'
grep -qi '^strict-transport-security: max-age=' "$HEADERS" || fail 'no HSTS header through the TLS proxy'
echo 'signed in through the proxy: Secure cookie, HSTS'

proxy_refresh() {
  "${CURL[@]}" -o "$WORK/refresh.json" -D "$WORK/refresh.headers" -w '%{http_code}' "$PROXY/api/auth/refresh" \
    -H 'content-type: application/json' -d "{\"refresh_token\":\"$P_REFRESH\"}" || true
}
# A replica's own count of successful refreshes (its metrics, read from inside it).
refreshes_on() {
  podman exec "${COMPOSE_PROJECT}_$1_1" node -e "fetch('http://127.0.0.1:3000/api/metrics', { headers: { authorization: 'Bearer ' + process.env.METRICS_TOKEN } })
    .then((r) => r.text()).then((t) => { const m = /^staysignedin_refreshes_total\\{outcome=\"rotated\"\\} (\\d+)/m.exec(t); console.log(m ? m[1] : 0); })"
}
# One chain, refreshed through the proxy: nginx takes turns, so each replica rotates it in turn,
# each taking the token the other one issued.
for _ in 1 2 3 4; do
  STATUS=$(proxy_refresh)
  [ "$STATUS" = 200 ] || fail "refresh through the proxy answered $STATUS: $(cat "$WORK/refresh.json")"
  P_REFRESH=$(json_field refresh_token <"$WORK/refresh.json")
done
ON_APP1=$(refreshes_on app1)
ON_APP2=$(refreshes_on app2)
[ "$ON_APP1" -ge 1 ] && [ "$ON_APP2" -ge 1 ] || fail "one chain did not rotate on both replicas (app1 $ON_APP1, app2 $ON_APP2)"
echo "one chain rotated on both replicas (app1 $ON_APP1 times, app2 $ON_APP2 times)"

# The client's address as nginx saw it is what the audit log must hold, not nginx's own.
PROXY_IP=$(podman inspect "${COMPOSE_PROJECT}_proxy_1" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
AUDIT_IP=$(podman exec "$DB_CTR" psql -U staysignedin -d staysignedin -tAc \
  "SELECT ip FROM \"AuditEvent\" WHERE type = 'sign_in.success' ORDER BY id DESC LIMIT 1")
[ -n "$AUDIT_IP" ] && [ "$AUDIT_IP" != "$PROXY_IP" ] || fail "the audit log has the proxy's address ($AUDIT_IP, proxy $PROXY_IP)"
echo "audit log: the client's address $AUDIT_IP, not the proxy's $PROXY_IP"

# Ended on one replica (logout goes to whichever nginx picks), refused on both within 2 s.
SECOND=$("${CURL[@]}" "$PROXY/api/auth/token" -d "username=admin&password=$ADMIN_PASSWORD")
S_ACCESS=$(printf '%s' "$SECOND" | json_field access_token)
S_REFRESH=$(printf '%s' "$SECOND" | json_field refresh_token)
LOGOUT=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$PROXY/api/auth/logout" -H "authorization: Bearer $S_ACCESS" \
  -H 'content-type: application/json' -d "{\"refresh_token\":\"$S_REFRESH\"}")
[ "$LOGOUT" = 204 ] || fail "logout through the proxy answered $LOGOUT"
ENDED_AT=$(date +%s%N)
REFUSED=0
while [ $(( ($(date +%s%N) - ENDED_AT) / 1000000 )) -lt 2000 ] && [ "$REFUSED" -lt 4 ]; do
  CODE=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$PROXY/api/auth/me" -H "authorization: Bearer $S_ACCESS")
  if [ "$CODE" = 401 ]; then REFUSED=$((REFUSED + 1)); else REFUSED=0; fi
done
# Four refusals in a row, round-robin over two replicas: both refuse it.
[ "$REFUSED" -ge 4 ] || fail 'an access token of an ended session was still accepted through the proxy after 2 s'
echo 'a session ended on one replica is refused on both within 2 s'

# PostgreSQL away for 10 s in the middle of traffic: 503 with Retry-After, health says so, and
# everything comes back by itself with no session lost (a refused refresh consumes nothing).
podman stop -t 2 "$DB_CTR" >/dev/null
OUTAGE_ENDS=$(( $(date +%s) + 10 ))
SAW_503=0
HEALTH_DOWN=0
while [ "$(date +%s)" -lt "$OUTAGE_ENDS" ]; do
  STATUS=$(proxy_refresh)
  case "$STATUS" in
    503) grep -qi '^retry-after: [0-9]' "$WORK/refresh.headers" || fail 'a 503 without Retry-After'; SAW_503=1 ;;
    200) P_REFRESH=$(json_field refresh_token <"$WORK/refresh.json") ;;
    *) show_services; fail "a refresh during the outage answered $STATUS (000: no answer within 10 s)" ;;
  esac
  HEALTH=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$PROXY/api/health")
  [ "$HEALTH" = 503 ] && HEALTH_DOWN=1
  sleep 0.5
done
[ "$SAW_503" = 1 ] || fail 'no refresh was refused with 503 while PostgreSQL was down'
[ "$HEALTH_DOWN" = 1 ] || fail 'health did not say 503 while PostgreSQL was down'
podman start "$DB_CTR" >/dev/null
proxy_healthy 60 || fail 'the replicas did not recover by themselves after the outage'
STATUS=$(proxy_refresh)
[ "$STATUS" = 200 ] || fail "the session did not refresh after the outage ($STATUS: $(cat "$WORK/refresh.json"))"
echo 'PostgreSQL down for 10 s: 503 with Retry-After, health 503, recovered by itself, the session still refreshes'
compose_down

printf '\n✔ container: builds (application layers %s MB), serves as uid 1000, health check passes, survives SIGTERM and restart (idle RSS %s MB); compose: two replicas behind nginx over TLS\n' "$APP_MB" "$IDLE_RSS"
