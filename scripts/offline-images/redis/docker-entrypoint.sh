#!/bin/sh
# Entrypoint of berth's offline redis stand-in (see ../README.md), modelled on the
# official redis image's docker-entrypoint.sh.
set -e

# `docker run redis:7 --appendonly yes` or `... /etc/redis.conf` means redis-server.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

# Started as root: hand /data to the redis user and drop privileges.
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
	find . \! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

# The official image is compiled with protected mode off, so other containers
# (and the host, through a published port) can connect without a password.
# Debian's build defaults to protected mode on; switch it off on the command
# line, right after an optional config file so later user options still win.
if [ "$1" = 'redis-server' ]; then
	case "${2:-}" in
		-v|--version|-h|--help|--test-memory|--check-system) ;;
		-*|'')
			shift
			set -- redis-server --protected-mode no "$@" ;;
		*)
			conf="$2"
			shift 2
			set -- redis-server "$conf" --protected-mode no "$@" ;;
	esac
	um="$(umask)"
	if [ "$um" = '0022' ]; then
		umask 0077
	fi
fi

exec "$@"
