#!/usr/bin/env bash
# kill -9 a multi-stream writer at random moments: afterwards the repository
# verifies, the interrupted snapshot is absent, the earlier one reads back
# byte for byte, the next writer takes the dead writer's lock over, and prune
# clears what the dead writers left.
. "$(dirname "$0")/lib.sh"
W=$(dirname "$BLASTWALL")/tools/repo-writer
[ -x "$W" ] || { fail "driver $W is missing"; exit 0; }

bw repo init r >/dev/null
base=$("$W" write r 100 3 2) || fail "write the base snapshot"
n=1
bad=0 killed=0
for i in $(seq 1 10); do
	"$W" write r $i 3 3 --threads --pause-ms 15 >w.out 2>w.err &
	pid=$!
	sleep "0.$(printf '%03d' $((RANDOM % 900)))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	rc=$?
	have=$(ls r/snapshots | wc -l)
	# a writer killed after its manifest was renamed into place has a complete
	# snapshot: it must then read back in full; otherwise it must be absent
	if [ "$have" = $((n + 1)) ]; then
		n=$have
		if ! "$W" check r latest $i 3 3 2>c.err; then bad=1; fail "round $i: a visible snapshot is incomplete"; fi
	elif [ "$have" != $n ] || [ $rc -eq 0 ]; then
		bad=1
		fail "round $i: $have snapshots, expected $n (writer exit $rc)"
	fi
	[ $rc -ne 0 ] && killed=$((killed + 1))
	if ! bw verify --repo r >v.out 2>v.err; then bad=1; fail "round $i: verify fails"; sed 's/^/#   /' v.err | head -5; fi
	if ! "$W" check r "$base" 100 3 2 2>c.err; then bad=1; fail "round $i: the base snapshot no longer reads back"; fi
done
[ $bad = 0 ] && pass "10 rounds of kill -9 ($killed killed mid-write): verify passes, interrupted snapshots absent, the base reads back"
[ $killed -gt 0 ] && pass "at least one writer was killed mid-write" || skip "a writer killed mid-write" "all writers finished before the kill"
expect_exit 0 "a writer after the kills" "$W" write r 7 1 1
expect_exit 0 "prune clears the leftovers" bw prune --repo r
expect_exit 0 "verify --read-data passes" bw verify --repo r --read-data
expect_no_grep "$T/out" "not used by any snapshot" "no unused chunks remain"
expect_exit 0 "the base snapshot reads back at the end" "$W" check r "$base" 100 3 2
