#!/usr/bin/env bash
# pg.sh: where pbc-pipeline's PostgreSQL comes from (SPEC §8, docs/database.md).
#
# With a connection configured (PGURI, or libpq's PGHOST / PGHOSTADDR / PGPORT /
# PGDATABASE / PGSERVICE) the configured server is used and this script does
# nothing.  Without one it runs a private, throwaway PostgreSQL 15 server in a
# local directory: $PBC_PGDATA, default var/pg under the repository.  That
# server listens on a Unix socket in the directory only (listen_addresses=''),
# trusts local connections, and has a database "pbc" and a superuser role
# named after the invoking OS user.  PostgreSQL refuses to run as root, so
# under root the server runs as Debian's "postgres" user; when that user cannot
# reach the directory (a repository under /root, say), the cluster lives in
# /var/tmp/pbc-pg-<hash of the directory's path> instead.
#
# Usage: scripts/pg.sh start|stop|status|env|psql [psql arguments]
#   start   initialise on first use, start if not running (idempotent, quiet)
#   stop    stop the private server if it runs
#   status  say whether it runs (exit 0 running, 3 not running)
#   env     print `export PG...=...` lines for eval; nothing when a
#           connection is configured
#   psql    open psql on the database (configured or private)
set -eu

prog="pg.sh"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pgbin="${PBC_PGBIN:-/usr/lib/postgresql/15/bin}"
dbname="pbc"
port=5432

die() { echo "$prog: error: $*" >&2; exit "${rc:-3}"; }

# The directory asked for, made absolute (it need not exist yet).
want="${PBC_PGDATA:-$root/var/pg}"
case "$want" in /*) ;; *) want="$PWD/$want" ;; esac

me="$(id -un)"
if [ "$(id -u)" = 0 ]; then
    runas=(runuser -u postgres --)
    id postgres >/dev/null 2>&1 ||
        die "cannot run PostgreSQL as root and there is no \"postgres\" user" \
            "(install the postgresql package: scripts/deps.sh)"
else
    runas=()
fi

# can_use DIR: whether the server's user can create and use DIR.
can_use() {
    if [ ${#runas[@]} -eq 0 ]; then
        return 0
    fi
    mkdir -p "$1" 2>/dev/null || return 1
    chown postgres: "$1" 2>/dev/null || return 1
    chmod 700 "$1"
    "${runas[@]}" test -w "$1" -a -x "$1"
}

# base: the directory the cluster lives in, recomputed the same way each time.
resolve_base() {
    base="$want"
    if [ ${#runas[@]} -gt 0 ] && ! can_use "$base"; then
        local h
        h="$(printf '%s' "$want" | sha256sum | cut -c1-12)"
        base="/var/tmp/pbc-pg-$h"
    fi
    pgdata="$base/data"
    sockdir="$base/run"
    logfile="$base/log/postgres.log"
}

# configured: whether the user has pointed libpq at a server of their own.
# A PGHOST naming our own socket directory (from `eval "$(pg.sh env)"`) is not.
configured() {
    [ -n "${PGURI:-}" ] && return 0
    if [ -n "${PGHOST:-}" ]; then
        resolve_base
        [ "$PGHOST" = "$sockdir" ] && return 1
        return 0
    fi
    [ -n "${PGHOSTADDR:-}${PGPORT:-}${PGDATABASE:-}${PGSERVICE:-}" ]
}

running() {
    [ -f "$pgdata/PG_VERSION" ] &&
        "${runas[@]}" "$pgbin/pg_ctl" status -D "$pgdata" >/dev/null 2>&1
}

# psql as the server's superuser on database $1, quiet, stopping at errors.
admin_psql() {
    "${runas[@]}" "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sockdir" -p "$port" \
        -U postgres -d "$1" "${@:2}"
}

do_start() {
    resolve_base
    [ -x "$pgbin/initdb" ] || die "PostgreSQL 15 is not installed in $pgbin (run scripts/deps.sh)"
    # initdb and the server write to /dev/null; a program that renamed a file
    # over it leaves a root-only regular file that makes them fail obscurely.
    [ -c /dev/null ] ||
        die "/dev/null is not a character device (something replaced it with a file)" \
            "; as root: rm -f /dev/null && mknod -m 666 /dev/null c 1 3"
    if [ ${#runas[@]} -gt 0 ]; then
        can_use "$base" || die "cannot make directory \"$base\" usable by user postgres"
    else
        mkdir -p "$base" && chmod 700 "$base"
    fi
    # Serialise concurrent starts (make -j): one initialises, the others wait.
    exec 9>>"$base/.lock"
    flock 9
    "${runas[@]}" mkdir -p "$sockdir" "$base/log"
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        "${runas[@]}" "$pgbin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 \
            --locale=C -N >"$base/log/initdb.log" 2>&1 ||
            die "could not initialise database cluster in \"$pgdata\"; see $base/log/initdb.log"
        "${runas[@]}" tee -a "$pgdata/postgresql.conf" >/dev/null <<EOF

# pbc-pipeline private server (scripts/pg.sh): Unix socket only.
listen_addresses = ''
port = $port
unix_socket_directories = '$sockdir'
unix_socket_permissions = 0770
max_wal_size = 2GB
logging_collector = off
EOF
    fi
    if ! running; then
        # 9>&-: the server must not inherit (and so hold) the start lock.
        "${runas[@]}" "$pgbin/pg_ctl" start -D "$pgdata" -l "$logfile" -w -t 60 \
            >/dev/null 2>&1 9>&- ||
            die "could not start PostgreSQL server in \"$pgdata\"; see $logfile"
    fi
    # Make the invoking user a superuser role and create the database, once.
    if [ -n "$(admin_psql postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" ]; then
        exit 0
    fi
    admin_psql postgres -v who="$me" -v db="$dbname" >/dev/null <<'EOF' ||
SELECT format('CREATE ROLE %I SUPERUSER LOGIN', :'who')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'who') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'who') \gexec
EOF
        die "could not create database \"$dbname\" in \"$pgdata\""
}

do_stop() {
    resolve_base
    if running; then
        "${runas[@]}" "$pgbin/pg_ctl" stop -D "$pgdata" -m fast -w -t 60 >/dev/null ||
            die "could not stop PostgreSQL server in \"$pgdata\""
    fi
}

do_env() {
    configured && return 0
    resolve_base
    printf 'export PGHOST=%q\n' "$sockdir"
    printf 'export PGPORT=%q\n' "$port"
    printf 'export PGDATABASE=%q\n' "$dbname"
    printf 'export PGUSER=%q\n' "$me"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
    start)  configured || do_start ;;
    stop)   configured || do_stop ;;
    status)
        if configured; then echo "using the configured server"; exit 0; fi
        resolve_base
        if running; then echo "private server running in $pgdata"; exit 0; fi
        echo "private server not running ($pgdata)"; exit 3 ;;
    env)    do_env ;;
    psql)
        if ! configured; then
            eval "$(do_env)"
        fi
        if [ -n "${PGURI:-}" ]; then exec psql "$PGURI" "$@"; fi
        exec psql "$@" ;;
    -h|--help|help)
        sed -n '2,/^set -eu/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' ;;
    *)  echo "$prog: error: unknown command \"$cmd\"" >&2
        echo "hint: try \"$0 --help\"" >&2
        exit 2 ;;
esac
