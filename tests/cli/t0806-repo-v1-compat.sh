#!/usr/bin/env bash
# Repositories written before manifest version 2 (tests/fixtures/repo-v1, made
# by blastwall at 014a56b): listed, verified, restored; new snapshots added to
# them are version 2 and live side by side with the old ones through verify,
# forget and prune; a damaged version 1 chunk is still caught. The tests work
# on copies: the fixture itself must stay as it was written.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { skip "v1 repository tests" "sqlite3 is not installed"; exit 0; }
FX=$TESTS_DIR/fixtures/repo-v1
[ -f "$FX/plain/config" ] || { fail "fixture $FX is missing"; exit 0; }
V1=4d19a83e4169 # the snapshot in plain/
V1E=be698d1da547 # the snapshot in encrypted/
before=$(cd "$FX" && find . -type f | sort | xargs sha256sum)
cp -r "$FX/plain" r

expect_exit 0 "repo info on a version 1 repository" bw repo info --repo r
expect_grep "$T/out" "format      version 1" "it stays version 1"
expect_grep "$T/out" "object ids  blake2b-256" "and keeps its BLAKE2b object ids (new chunks deduplicate against old ones)"
expect_exit 0 "snapshots lists a version 1 repository" bw snapshots --repo r
expect_grep "$T/out" "^$V1 .*sqlite:.*app\.db +1 +3 " "with its source, table and rows"
expect_exit 0 "snapshots ID --json" bw snapshots --repo r "$V1" --json
expect_grep "$T/out" '"manifest_version": 1' "reports manifest version 1"
expect_grep "$T/out" '"checksum_type": "sha256"' "whose stream checksum is the bytes' SHA-256"
expect_grep "$T/out" '"sha256": "[0-9a-f]{64}"' "still printed under sha256 too"
expect_exit 0 "verify --read-data passes on the version 1 repository" bw verify --repo r --read-data
expect_grep "$T/out" "1 snapshot, 1 chunk .*no problems found" "and says so"
expect_exit 0 "restore of the version 1 snapshot" bw restore --repo r --into sqlite:old.db
[ "$(sqlite3 old.db "SELECT group_concat(id || '=' || body, ';') FROM notes")" = "1=first note;2=second, with ünïcode;3=third" ] &&
	pass "restored rows are the ones backed up" || fail "restored rows differ"

# a new backup into the old repository: a version 2 snapshot next to the version 1 one
sqlite3 new.db "CREATE TABLE t (x); WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 3000) INSERT INTO t SELECT 'row ' || i FROM g;"
expect_exit 0 "backup into the version 1 repository" bw backup sqlite:new.db --repo r
expect_exit 0 "snapshots lists both" bw snapshots --repo r --json
[ "$(grep -c '"id":' "$T/out")" = 2 ] && pass "two snapshots" || fail "two snapshots ($(grep -c '"id":' "$T/out"))"
expect_exit 0 "snapshots latest --json" bw snapshots --repo r latest --json
expect_grep "$T/out" '"manifest_version": 2' "the new snapshot is manifest version 2"
expect_grep "$T/out" '"checksum_type": "chunk-list-sha256"' "checksummed by its chunk list"
expect_grep "$T/out" '"checksum": "[0-9a-f]{64}"' "the meta and the stream carry 'checksum'"
expect_no_grep "$T/out" '"sha256"' "no 'sha256' key holds a chunk-list hash"
v2=$(grep -o '"id": *"[0-9a-f]*"' "$T/out" | head -n 1 | grep -o '[0-9a-f]\{64\}')
expect_exit 0 "verify --read-data passes on versions 1 and 2 together" bw verify --repo r --read-data
expect_grep "$T/out" "2 snapshots, 2 chunks .*no problems found" "both checked"
expect_exit 0 "restore of the version 2 snapshot" bw restore --repo r --snapshot "$v2" --into sqlite:new-restored.db
[ "$(sqlite3 new.db .dump)" = "$(sqlite3 new-restored.db .dump)" ] && pass "version 2 restore is identical" || fail "version 2 restore differs"
rm -f old.db
expect_exit 0 "the version 1 snapshot still restores" bw restore --repo r --snapshot "$V1" --into sqlite:old.db
[ "$(sqlite3 old.db 'SELECT count(*) FROM notes')" = 3 ] && pass "with its rows" || fail "v1 rows after v2 backup"

# forget and prune across versions: forgetting the v2 snapshot keeps the v1 snapshot's chunk
cp -r r r2
expect_exit 0 "forget the version 2 snapshot, prune" bw forget --repo r2 --prune "$v2"
expect_exit 0 "verify --read-data after it" bw verify --repo r2 --read-data
expect_grep "$T/out" "1 snapshot, 1 chunk .*no problems found" "the version 1 snapshot is whole"
rm -f old.db
expect_exit 0 "and restores" bw restore --repo r2 --into sqlite:old.db
# and the other way round: forgetting the version 1 snapshot frees its chunk, the v2 one stays whole
expect_exit 0 "forget the version 1 snapshot, prune" bw forget --repo r --prune "$V1" --json
expect_grep "$T/out" '"chunks_removed": 1' "its chunk is pruned"
expect_exit 0 "verify --read-data" bw verify --repo r --read-data
expect_grep "$T/out" "1 snapshot, 1 chunk .*no problems found" "the version 2 snapshot is whole"

# a flipped byte in a version 1 data chunk is still caught, and nothing is restored from it
cp -r "$FX/plain" bad
chunk=$(find bad/data -type f | head -n 1)
size=$(stat -c %s "$chunk")
printf '\x5a' | dd of="$chunk" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$chunk" "$FX/plain/data/${chunk#bad/data/}" && fail "the byte was not flipped" || pass "one byte of the chunk flipped"
expect_exit 1 "verify --read-data finds the damaged chunk" bw verify --repo bad --read-data
expect_grep "$T/err" "$(basename "$chunk" | cut -c1-12).*damaged|damaged.*$(basename "$chunk" | cut -c1-12)" "naming it"
expect_exit 1 "restore from the damaged snapshot fails" bw restore --repo bad --into sqlite:from-bad.db
expect_grep "$T/err" "$(basename "$chunk" | cut -c1-12)" "naming the chunk"
[ ! -e from-bad.db ] && pass "no database was created from damaged data" || fail "from-bad.db exists"

# the encrypted version 1 repository, with its key file
cp -r "$FX/encrypted" er
cp "$FX/encrypted.key" er.key
expect_exit 1 "the encrypted copy needs its key" bw snapshots --repo er
expect_exit 0 "snapshots with the key" bw snapshots --repo er --key-file er.key
expect_grep "$T/out" "^$V1E " "lists the version 1 snapshot"
expect_exit 0 "restore with the key" bw restore --repo er --key-file er.key --into sqlite:enc.db
[ "$(sqlite3 enc.db 'SELECT count(*) FROM notes')" = 3 ] && pass "encrypted version 1 rows restored" || fail "encrypted rows"
expect_exit 0 "backup into the encrypted version 1 repository" bw backup sqlite:new.db --repo er --key-file er.key
expect_exit 0 "verify --read-data with the key (versions 1 and 2)" bw verify --repo er --key-file er.key --read-data
expect_grep "$T/out" "2 snapshots, 2 chunks .*no problems found" "both checked"
if grep -rqa "row 1" er; then fail "no plaintext of the new snapshot on disk"; else pass "no plaintext of the new snapshot on disk"; fi

after=$(cd "$FX" && find . -type f | sort | xargs sha256sum)
[ "$before" = "$after" ] && pass "the checked-in fixture is unchanged" || fail "the fixture was modified"
