#!/usr/bin/env bash
# forget by rules and by id (dry run first), prune frees exactly the chunks no
# snapshot uses, and what is left still verifies and reads back.
. "$(dirname "$0")/lib.sh"
W=$(dirname "$BLASTWALL")/tools/repo-writer
[ -x "$W" ] || { fail "driver $W is missing"; exit 0; }
export TZ=UTC

bw repo init r >/dev/null
ids=()
for s in 1 2 3 4; do ids+=("$("$W" write r $s 1 1)"); done
[ ${#ids[@]} = 4 ] && pass "four snapshots written" || fail "four snapshots written"

expect_exit 2 "forget without rules is a usage error" bw forget --repo r
expect_grep "$T/err" "never removes everything" "and says why"
expect_exit 2 "forget with a bad count" bw forget --repo r --keep-last x
expect_exit 2 "rules and ids together" bw forget --repo r --keep-last 1 "${ids[0]}"

expect_exit 0 "forget --dry-run --keep-last 2" bw forget --repo r --keep-last 2 --dry-run
expect_grep "$T/out" "^keep   ${ids[3]:0:12} .* last$" "the newest is kept by 'last'"
expect_grep "$T/out" "^remove ${ids[0]:0:12} " "the oldest would be removed"
expect_grep "$T/out" "would remove 2 snapshots, kept 2 \(dry run" "the dry run summarises"
[ "$(ls r/snapshots | wc -l)" = 4 ] && pass "a dry run removes nothing" || fail "a dry run removes nothing"

before=$(find r/data -type f | wc -l)
expect_exit 0 "forget --keep-last 2" bw forget --repo r --keep-last 2
expect_grep "$T/out" "removed 2 snapshots, kept 2" "forget says what it did"
expect_grep "$T/out" "blastwall prune" "and points at prune"
[ "$(ls r/snapshots | wc -l)" = 2 ] && pass "two manifests remain" || fail "two manifests remain"
[ "$(find r/data -type f | wc -l)" = "$before" ] && pass "forget leaves chunks to prune" || fail "forget leaves chunks to prune"
expect_exit 0 "verify after forget" bw verify --repo r
expect_grep "$T/out" "not used by any snapshot" "verify counts the unused chunks"

expect_exit 0 "prune --dry-run" bw prune --repo r --dry-run
expect_grep "$T/out" "^would delete [1-9][0-9]* of $before chunks" "prune --dry-run counts"
[ "$(find r/data -type f | wc -l)" = "$before" ] && pass "prune --dry-run deletes nothing" || fail "prune --dry-run deletes nothing"
expect_exit 0 "prune" bw prune --repo r --json
if command -v jq >/dev/null; then
	removed=$(jq .chunks_removed "$T/out")
	[ $((before - removed)) = "$(find r/data -type f | wc -l)" ] && pass "prune deleted what it reported" || fail "prune deleted what it reported"
fi
expect_exit 0 "verify --read-data after prune" bw verify --repo r --read-data
expect_no_grep "$T/out" "not used by any snapshot" "no unused chunks remain"
expect_exit 0 "the kept snapshots read back" "$W" check r "${ids[3]}" 4 1 1
expect_exit 0 "both of them" "$W" check r "${ids[2]}" 3 1 1

expect_exit 0 "forget by id" bw forget --repo r "${ids[2]:0:8}" --prune
expect_grep "$T/out" "^remove ${ids[2]:0:12}" "the named snapshot is removed"
expect_grep "$T/out" "deleted [1-9][0-9]* unused chunk" "--prune deletes its chunks"
expect_exit 1 "forget an unknown id" bw forget --repo r 0123abcd
expect_grep "$T/err" "no snapshot '0123abcd'" "names it"
expect_exit 0 "forget --json" bw forget --repo r --keep-daily 7 --json --dry-run
expect_grep "$T/out" '"reason": "daily"' "json gives the reason"
expect_exit 0 "verify --read-data at the end" bw verify --repo r --read-data

# prune removes old temporary files of a killed writer, and leaves young ones
mkdir -p r/data/00
echo partial >r/data/00/.tmp.1.2.deadbeef
touch -d '3 hours ago' r/data/00/.tmp.1.2.deadbeef
echo partial >r/data/00/.tmp.1.3.young
expect_exit 0 "prune with leftovers" bw prune --repo r
expect_grep "$T/out" "removed 1 temporary file" "an old temporary file is removed"
[ -e r/data/00/.tmp.1.3.young ] && pass "a young one (a live writer's?) is kept" || fail "a young temporary file is kept"
