#!/usr/bin/env bash
# pg-cluster.sh: a throwaway PostgreSQL for tests and benchmarks.
#   pg-cluster.sh start DIR [extra postgresql.conf lines...]
#       initdb in DIR/data, listens only on a unix socket in DIR (random
#       port number, used for the socket name), trust auth, superuser
#       "postgres". Prints shell assignments: PGHOST=DIR PGPORT=N PGUSER=postgres
#       PG_BINDIR=... (eval them). As root the server runs as the "postgres"
#       account (runuser); DIR's parents must be searchable by it.
#   pg-cluster.sh stop DIR
#       stops the server by the PID in DIR/data/postmaster.pid (SIGINT = fast
#       shutdown, SIGKILL after 10 s) and removes nothing.
set -eu
cmd=${1:?usage: pg-cluster.sh start|stop DIR}
dir=${2:?usage: pg-cluster.sh start|stop DIR}
shift 2

bindir=${BLASTWALL_PG_BINDIR:-}
if [ -z "$bindir" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { bindir=$d; break; }
	done
fi
[ -n "$bindir" ] || { echo "pg-cluster.sh: no PostgreSQL server programs (apt-get install postgresql)" >&2; exit 1; }

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	chmod 700 "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	port=$((20000 + RANDOM % 30000))
	as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C -N >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	{
		echo "listen_addresses = ''"
		echo "port = $port"
		echo "unix_socket_directories = '$dir'"
		echo "fsync = off"
		echo "full_page_writes = off"
		echo "synchronous_commit = off"
		for l in "$@"; do echo "$l"; done
	} >>"$dir/data/postgresql.conf"
	as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null 2>&1 ||
		{ cat "$dir/postgres.log" >&2; exit 1; }
	echo "PGHOST='$dir' PGPORT=$port PGUSER=postgres PG_BINDIR='$bindir'"
	;;
stop)
	pidfile=$dir/data/postmaster.pid
	[ -f "$pidfile" ] || exit 0
	pid=$(head -n 1 "$pidfile")
	[ -n "$pid" ] || exit 0
	kill -INT "$pid" 2>/dev/null || exit 0
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || exit 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	;;
*)
	echo "usage: pg-cluster.sh start|stop DIR" >&2
	exit 2
	;;
esac
