#!/usr/bin/env bash
# Snapshots written through the repository API (tests/tools/repo-writer):
# snapshots lists them with totals, verify passes, a second snapshot of the
# same data stores nothing new, reading back is byte-identical.
. "$(dirname "$0")/lib.sh"
W=$(dirname "$BLASTWALL")/tools/repo-writer
[ -x "$W" ] || { fail "driver $W is missing (make all builds tests/tools/*.c)"; exit 0; }

bw repo init r >/dev/null
id1=$("$W" write r 1 3 3 --threads) && pass "write a 3-stream snapshot from 3 threads" || fail "write a 3-stream snapshot"
id2=$("$W" write r 1 3 3) && pass "write the same data again" || fail "write the same data again"
id3=$("$W" write r 2 2 1) && pass "write other data" || fail "write other data"
expect_exit 0 "read back snapshot 1 byte for byte" "$W" check r "$id1" 1 3 3
expect_exit 0 "read back snapshot 2 by prefix" "$W" check r "${id2:0:10}" 1 3 3
expect_exit 1 "a comparison with other data fails" "$W" check r "$id3" 1 2 1

expect_exit 0 "snapshots lists them" bw snapshots --repo r
expect_grep "$T/out" "^${id1:0:12} " "the first snapshot is listed"
expect_grep "$T/out" "^3 snapshots, 20.0 MiB of data" "totals count snapshots and bytes"
expect_exit 0 "snapshots --json" bw snapshots --repo r --json
if command -v jq >/dev/null; then
	[ "$(jq '.snapshots | length' "$T/out")" = 3 ] && pass "json lists 3 snapshots" || fail "json lists 3 snapshots"
	[ "$(jq -r '.snapshots[1].stored_bytes' "$T/out")" = 0 ] && pass "the unchanged snapshot stored 0 new bytes" ||
		fail "the unchanged snapshot stored 0 new bytes ($(jq -r '.snapshots[1].stored_bytes' "$T/out"))"
	[ "$(jq -r '.snapshots[0].source' "$T/out")" = repo-writer ] && pass "json carries meta.source" || fail "json carries meta.source"
else
	skip "json checks" "jq is not installed"
fi
expect_exit 0 "snapshots ID shows one snapshot" bw snapshots --repo r latest
expect_grep "$T/out" "^snapshot  $id3" "latest is the newest"
expect_grep "$T/out" "data/public.t1.0" "its streams are listed"
expect_exit 1 "an unknown id" bw snapshots --repo r deadbeef
expect_grep "$T/err" "no snapshot 'deadbeef'" "names the id"
expect_exit 1 "a bad id" bw snapshots --repo r 'x/y'
expect_exit 0 "verify passes" bw verify --repo r
expect_grep "$T/out" "no problems found" "verify says so"
expect_exit 0 "verify --read-data passes" bw verify --repo r --read-data
expect_grep "$T/out" "all data read: no problems found" "verify --read-data says so"
expect_exit 0 "verify --json" bw verify --repo r --json
expect_grep "$T/out" '"ok": true' "verify --json ok"
