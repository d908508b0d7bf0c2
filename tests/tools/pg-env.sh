# pg-env.sh: sourced by the backup CLI tests after lib.sh. pg_start starts a
# throwaway PostgreSQL for the test (tests/tools/pg-cluster.sh) in $T/pg and
# stops it on exit; pg_url DB prints a postgres:// URL for a database on it;
# pg_hash DB prints one line per user table: name, row count, md5 over every
# row's text form (sorted), so two databases compare row for row;
# pg_password_auth ROLE makes ROLE log in over the socket with its password
# (scram-sha-256) instead of the cluster's trust.
pg_start() {
	if [ -z "${BLASTWALL_PG_BINDIR:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
		skip "PostgreSQL tests" "PostgreSQL is not installed (apt-get install postgresql)"
		exit 0
	fi
	chmod 711 "$T" # the postgres account must reach $T/pg
	local out
	out=$(bash "$TESTS_DIR/tools/pg-cluster.sh" start "$T/pg" "$@") || { fail "start a test PostgreSQL"; exit 1; }
	eval "$out"
	export PGHOST PGPORT PGUSER
	PATH="$PG_BINDIR:$PATH"
	at_exit "bash '$TESTS_DIR/tools/pg-cluster.sh' stop '$T/pg'"
}
pg_url() { echo "postgres://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
psqlq() { psql -qtAX -v ON_ERROR_STOP=1 "$@"; }
pg_password_auth() {
	local hba=$T/pg/data/pg_hba.conf
	{ echo "local all $1 scram-sha-256"; cat "$hba"; } >"$hba.new" && cat "$hba.new" >"$hba"
	psqlq -d postgres -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.3
}
pg_hash() {
	local db=$1 t
	psqlq -d "$db" -c "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1" |
		while IFS= read -r t; do
			echo "$t $(psqlq -d "$db" -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '-') FROM $t x")"
		done
}
