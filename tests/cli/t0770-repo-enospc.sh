#!/usr/bin/env bash
# A full disk: the backup fails with a clear message, nothing half-written is
# visible, earlier snapshots still read back, and the repository verifies.
. "$(dirname "$0")/lib.sh"
W=$(dirname "$BLASTWALL")/tools/repo-writer
[ -x "$W" ] || { fail "driver $W is missing"; exit 0; }

mkdir small
if ! mount -t tmpfs -o size=2m tmpfs small 2>/dev/null; then
	skip "full disk tests" "cannot mount a tmpfs here (needs root)"
	exit 0
fi
at_exit "umount '$T/small'"
bw repo init small/r >/dev/null
first=$("$W" write small/r 1 1 1) && pass "a small snapshot fits" || fail "a small snapshot fits"
expect_exit 1 "a snapshot larger than the disk fails" "$W" write small/r 2 3 4
expect_grep "$T/err" "No space left on device" "the error says the disk is full"
expect_grep "$T/err" "hint: the file system holding the repository is full" "with a hint"
[ "$(ls small/r/snapshots | wc -l)" = 1 ] && pass "the failed snapshot is not visible" || fail "the failed snapshot is not visible"
if find small/r -name '.tmp.*' | grep -q .; then fail "no temporary files are left"; else pass "no temporary files are left"; fi
[ ! -e small/r/locks/writer ] && pass "the lock is released" || fail "the lock is released"
expect_exit 0 "the earlier snapshot reads back" "$W" check small/r "$first" 1 1 1
expect_exit 0 "verify --read-data passes" bw verify --repo small/r --read-data
expect_exit 0 "prune frees the failed snapshot's chunks" bw prune --repo small/r
expect_grep "$T/out" "^deleted [1-9]" "prune deleted something"
expect_exit 0 "verify --read-data passes after prune" bw verify --repo small/r --read-data
expect_exit 1 "init on a full disk fails cleanly" bash -c "head -c 3M /dev/zero >'$T/small/fill' 2>/dev/null; '$BLASTWALL' repo init '$T/small/r2'"
expect_grep "$T/err" "No space left on device|cannot" "with a clear error"
rm -f small/fill
