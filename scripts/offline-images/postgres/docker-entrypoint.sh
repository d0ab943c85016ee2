#!/usr/bin/env bash
# Entrypoint of berth's offline postgres stand-in (see ../README.md).
# A small subset of the official postgres image's docker-entrypoint.sh.
set -Eeo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2; }

# file_env VAR [DEFAULT]: VAR may also be given as VAR_FILE (docker secrets).
file_env() {
	local var="$1" fileVar="${1}_FILE" def="${2:-}" val
	if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
		log "error: both $var and $fileVar are set (but are exclusive)"
		exit 1
	fi
	val="$def"
	if [ -n "${!var:-}" ]; then
		val="${!var}"
	elif [ -n "${!fileVar:-}" ]; then
		val="$(< "${!fileVar}")"
	fi
	export "$var"="$val"
	unset "$fileVar"
}

run_initdb_d() {
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
			*.sh)
				# shellcheck disable=SC1090
				if [ -x "$f" ]; then log "running $f"; "$f"; else log "sourcing $f"; . "$f"; fi ;;
			*.sql)    log "running $f"; psql_init -f "$f" ;;
			*.sql.gz) log "running $f"; gunzip -c "$f" | psql_init ;;
			*)        log "ignoring $f" ;;
		esac
	done
}

psql_init() {
	psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" "$@"
}

# `docker run postgres:16 -c foo=bar` means `postgres -c foo=bar`.
if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

if [ "$1" != 'postgres' ]; then
	exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$(id -u)" = '0' ]; then
	# Fix ownership (a fresh named volume, a bind mount) and drop privileges.
	mkdir -p "$PGDATA" /var/run/postgresql
	find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
	chmod 00700 "$PGDATA"
	chown postgres:postgres /var/run/postgresql
	chmod 3777 /var/run/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

mkdir -p "$PGDATA"
chmod 00700 "$PGDATA" 2>/dev/null || :

file_env POSTGRES_PASSWORD
file_env POSTGRES_USER postgres
file_env POSTGRES_DB "$POSTGRES_USER"
file_env POSTGRES_INITDB_ARGS
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
		cat >&2 <<-'EOM'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
			       (Or set POSTGRES_HOST_AUTH_METHOD=trust to allow all connections
			       without a password. This is *not* recommended.)
		EOM
		exit 1
	fi

	log "initialising database cluster in $PGDATA (user \"$POSTGRES_USER\", database \"$POSTGRES_DB\")"
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words on purpose
	if [ -n "$POSTGRES_PASSWORD" ]; then
		initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
			--encoding=UTF8 $POSTGRES_INITDB_ARGS >&2
	else
		initdb --username="$POSTGRES_USER" --encoding=UTF8 $POSTGRES_INITDB_ARGS >&2
	fi

	# Local (socket and loopback) connections stay trusted, as in the official
	# image; everything else has to authenticate.
	printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"

	# Temporary server on the Unix socket only, for the set-up below.
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >&2

	if [ "$POSTGRES_DB" != 'postgres' ]; then
		psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
			--set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;' >&2
	fi
	run_initdb_d

	pg_ctl -D "$PGDATA" -m fast -w stop >&2
	log "initialisation complete; starting PostgreSQL"
else
	log "database directory $PGDATA already initialised; skipping initialisation"
fi

exec "$@"
