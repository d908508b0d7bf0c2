#!/usr/bin/env bash
# The writer lock: a running backup keeps other writers out with a message
# naming it; stale locks (dead pid here, or old from another host) are taken
# over with a warning; repo unlock.
. "$(dirname "$0")/lib.sh"
W=$(dirname "$BLASTWALL")/tools/repo-writer
[ -x "$W" ] || { fail "driver $W is missing"; exit 0; }

bw repo init r >/dev/null
"$W" write r 1 2 2 --threads --hold release >slow.id 2>slow.err &
slow=$!
at_exit "kill $slow 2>/dev/null"
for _ in $(seq 100); do [ -e r/locks/writer ] && break; sleep 0.05; done
[ -e r/locks/writer ] && pass "a writer holds the lock" || fail "a writer holds the lock"
expect_exit 1 "a second writer is kept out" "$W" write r 2 1 1
expect_grep "$T/err" "repository 'r' is locked by backup \(pid $slow on $(hostname)" "the message names the holder"
expect_grep "$T/err" "blastwall repo unlock --force --repo r" "and how to remove a lock"
expect_exit 1 "prune is kept out" bw prune --repo r
expect_exit 1 "forget is kept out" bw forget --repo r --keep-last 1
expect_exit 0 "forget --dry-run needs no lock" bw forget --repo r --keep-last 1 --dry-run
expect_exit 0 "readers are not kept out" bw snapshots --repo r
expect_exit 0 "repo info shows the lock" bw repo info --repo r
expect_grep "$T/out" "^lock +backup \(pid $slow" "with its holder"
expect_exit 0 "verify runs alongside a backup" bw verify --repo r
expect_grep "$T/out" "note: the repository is locked by backup" "and notes the running backup"
expect_exit 1 "unlock refuses a live lock" bw repo unlock --repo r
expect_grep "$T/err" "looks alive" "and says why"
touch release
wait $slow && pass "the first writer finishes" || fail "the first writer finishes ($(cat slow.err))"
[ ! -e r/locks/writer ] && pass "its lock is gone" || fail "its lock is gone"
expect_exit 0 "its snapshot reads back" "$W" check r "$(cat slow.id)" 1 2 2

# stale: a dead process on this host
sleep 0 & dead=$!
wait $dead
mkdir -p r/locks
printf '{"hostname":"%s","pid":%d,"start":0,"time":%d,"purpose":"backup"}' "$(hostname)" $dead "$(date +%s)" >r/locks/writer
expect_exit 0 "a lock of a dead process is taken over" "$W" write r 3 1 1
expect_grep "$T/err" "warning: took over a stale lock on 'r' held by backup \(pid $dead" "with a warning naming it"
[ ! -e r/locks/writer ] && pass "and released after" || fail "and released after"

# another host: recent = live, old = stale
now=$(date +%s)
printf '{"hostname":"elsewhere","pid":1,"start":0,"time":%d,"purpose":"prune"}' "$now" >r/locks/writer
expect_exit 1 "a fresh lock from another host is respected" bw prune --repo r
expect_grep "$T/err" "locked by prune \(pid 1 on elsewhere" "names the other host"
printf '{"hostname":"elsewhere","pid":1,"start":0,"time":%d,"purpose":"prune"}' $((now - 3 * 86400)) >r/locks/writer
expect_exit 0 "a three-day-old lock from another host is stale" bw prune --repo r
expect_grep "$T/err" "took over a stale lock" "and is taken over"

printf '{"hostname":"elsewhere","pid":1,"start":0,"time":%d,"purpose":"backup"}' "$now" >r/locks/writer
expect_exit 0 "unlock --force removes any lock" bw repo unlock --repo r --force
expect_grep "$T/out" "removed the lock held by backup \(pid 1 on elsewhere" "and says whose"
expect_exit 0 "unlock when not locked" bw repo unlock r
expect_grep "$T/out" "is not locked" "says so"
expect_exit 0 "verify at the end" bw verify --repo r --read-data
