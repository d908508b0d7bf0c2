#!/usr/bin/env bash
# bench/repo-ingest: how fast the backup repository takes in table data, next
# to `zstd -3 -T2` (what `pg_dump | zstd -3 -T2` spends on compression) on the
# same bytes. Usage: bench/repo-ingest/run.sh [BUILD_DIR] [MIB_PER_STREAM] [STREAMS]
set -eu
build=${1:-build}
mib=${2:-256}
streams=${3:-2}
w=$build/tools/repo-writer
bw=$build/blastwall
[ -x "$w" ] && [ -x "$bw" ] || { echo "build first: make BUILD=$build all" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/bw-ingest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); data: $streams streams x $mib MiB of table-like text"
if command -v zstd >/dev/null && [ -x /usr/bin/time ]; then
	"$w" gen "$tmp/data" 1 "$streams" "$mib"
	cat "$tmp/data" >/dev/null
	s=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$tmp/cpu" zstd -3 -T2 -q -c "$tmp/data" >"$tmp/data.zst"
	e=$(date +%s.%N)
	in=$(stat -c %s "$tmp/data") out=$(stat -c %s "$tmp/data.zst")
	cpu=$(awk '{ print $1 + $2 }' "$tmp/cpu")
	awk -v s="$s" -v e="$e" -v i="$in" -v o="$out" -v c="$cpu" 'BEGIN { printf "zstd -3 -T2:      %.0f MB in %.2f s = %.0f MB/s; %.2f CPU s = %.0f MB per CPU second; %.1fx smaller\n", i/1e6, e-s, i/1e6/(e-s), c, i/1e6/c, i/o }'
	rm -f "$tmp/data" "$tmp/data.zst"
fi
for level in 1 3; do
	rm -rf "$tmp/r"
	"$bw" repo init "$tmp/r" --compression-level $level >/dev/null
	echo "blastwall repository, zstd level $level:"
	"$w" bench "$tmp/r" "$mib" "$streams" | sed 's/^/  /'
	"$bw" snapshots --repo "$tmp/r" | tail -n 1 | sed 's/^/  /'
done
rm -rf "$tmp/r"
"$bw" repo init "$tmp/r" --key-file "$tmp/key" >/dev/null
echo "blastwall repository, encrypted, zstd level 3:"
BLASTWALL_KEY_FILE=$tmp/key "$w" bench "$tmp/r" "$mib" "$streams" | sed 's/^/  /'
