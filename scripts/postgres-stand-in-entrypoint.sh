#!/bin/sh
# Entrypoint of the container test's stand-in for the official postgres image (built from Debian's
# postgresql-15 where the official image cannot be pulled): the same variables (POSTGRES_USER,
# POSTGRES_PASSWORD, POSTGRES_DB) and the same data folder, so docker-compose.yml and
# docker-compose.proxy.yml run on it unchanged. Not part of the app's image.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=${PGDATA:-/var/lib/postgresql/data}
as_postgres() { runuser -u postgres -- "$@"; }
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s' "$POSTGRES_PASSWORD" >/tmp/pwfile
  chown postgres /tmp/pwfile
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f /tmp/pwfile
  # Other containers connect over the network, with the password.
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -w -o "-c listen_addresses=''" start >/dev/null
  as_postgres "$PGBIN/createdb" -U "$POSTGRES_USER" "$POSTGRES_DB"
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -w -m fast stop >/dev/null
fi
# PostgreSQL itself becomes the container's first process (setpriv execs, runuser would stay in
# between), so `docker stop`'s SIGTERM reaches it and it shuts down cleanly.
exec setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/postgres" -D "$PGDATA" -c listen_addresses='*'
