#!/usr/bin/env bash
# Corruption: a flipped byte anywhere in a stored chunk or manifest, a
# truncated or missing chunk. verify names the damaged object and the
# snapshots that use it; reading never returns wrong data; the undamaged
# snapshot still reads back byte for byte.
. "$(dirname "$0")/lib.sh"
W=$(dirname "$BLASTWALL")/tools/repo-writer
[ -x "$W" ] || { fail "driver $W is missing"; exit 0; }

# flip FILE OFFSET: xor one byte with 0x01 in place
flip() {
	local f=$1 off=$2 b
	b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

for mode in plain encrypted; do
	rm -rf r
	if [ $mode = plain ]; then bw repo init r >/dev/null; else
		bw repo init r --key-file key >/dev/null
		export BLASTWALL_KEY_FILE=$T/key
	fi
	id1=$("$W" write r 1 2 2) || fail "$mode: write snapshot 1"
	id2=$("$W" write r 2 2 2) || fail "$mode: write snapshot 2"
	expect_exit 0 "$mode: verify --read-data passes before damage" bw verify --repo r --read-data

	# one chunk of snapshot 1 (streams of seed 1 share nothing with seed 2)
	bw verify --repo r --json >/dev/null
	chunk=$(find r/data -type f ! -name '.*' | sort | head -n 1)
	cp "$chunk" saved
	size=$(stat -c %s "$chunk")
	ok=1
	for off in 0 4 5 8 15 16 40 $((size / 2)) $((size - 33)) $((size - 1)); do
		flip "$chunk" $off
		bw verify --repo r --read-data >"$T/v.out" 2>"$T/v.err"
		rc=$?
		name=${chunk#r/}
		if [ $rc -ne 1 ] || ! grep -q "damaged: $name" "$T/v.err"; then
			ok=0
			fail "$mode: verify --read-data names the chunk damaged at byte $off (exit $rc)"
			sed 's/^/#   /' "$T/v.err" | head -5
		fi
		cp saved "$chunk"
	done
	[ $ok = 1 ] && pass "$mode: verify --read-data names a chunk flipped at each of 10 offsets"

	flip "$chunk" $((size / 2))
	expect_exit 0 "$mode: structure-only verify does not read chunks" bw verify --repo r
	expect_exit 1 "$mode: verify --read-data fails" bw verify --repo r --read-data
	expect_grep "$T/err" "used by snapshot [0-9a-f]{12} stream 'data/public\.t[01]\.0'" "$mode: and names the snapshot and stream using it"
	user=$(grep -o 'used by snapshot [0-9a-f]*' "$T/err" | head -n 1 | awk '{print $4}')
	if [ "$user" = "${id1:0:12}" ]; then good=$id2 gseed=2 bad=$id1 bseed=1; else good=$id1 gseed=1 bad=$id2 bseed=2; fi
	expect_exit 1 "$mode: reading the damaged snapshot fails" "$W" check r "$bad" $bseed 2 2
	expect_grep "$T/err" "${chunk#r/}" "$mode: reading names the damaged object"
	expect_no_grep "$T/err" "differs" "$mode: reading never hands out wrong bytes"
	expect_exit 0 "$mode: the undamaged snapshot still reads back exactly" "$W" check r "$good" $gseed 2 2
	cp saved "$chunk"

	# truncated and missing chunks
	head -c 100 saved >"$chunk"
	expect_exit 1 "$mode: a truncated chunk fails verify --read-data" bw verify --repo r --read-data
	expect_grep "$T/err" "${chunk#r/}.*(truncated|checksum mismatch)" "$mode: named as damaged"
	rm "$chunk"
	expect_exit 1 "$mode: a missing chunk fails even the structure check" bw verify --repo r
	expect_grep "$T/err" "damaged: ${chunk#r/}: missing" "$mode: named as missing"
	cp saved "$chunk"
	expect_exit 0 "$mode: restored chunk verifies again" bw verify --repo r --read-data

	# a manifest
	man=r/snapshots/$id2
	cp "$man" saved.m
	msize=$(stat -c %s "$man")
	flip "$man" $((msize / 2))
	expect_exit 1 "$mode: a flipped manifest byte fails verify" bw verify --repo r
	expect_grep "$T/err" "damaged: snapshots/$id2" "$mode: verify names the manifest"
	expect_exit 0 "$mode: snapshots still lists the rest" bw snapshots --repo r
	expect_grep "$T/err" "skipping snapshot ${id2:0:12}" "$mode: and warns about the damaged one"
	expect_exit 1 "$mode: reading the damaged snapshot fails" "$W" check r "$id2" 2 2 2
	expect_grep "$T/err" "snapshots/$id2" "$mode: naming the manifest"
	expect_exit 1 "$mode: prune refuses while a manifest is unreadable" bw prune --repo r
	expect_grep "$T/err" "cannot prune" "$mode: and says why"
	expect_exit 0 "$mode: forget --dry-run can name the damaged snapshot" bw forget --repo r "${id2:0:12}" --dry-run
	expect_grep "$T/out" "^remove ${id2:0:12}  \(unreadable\)" "$mode: shown as unreadable"
	cp saved.m "$man"
	# a manifest swapped for another snapshot's: its name no longer matches its content
	cp "r/snapshots/$id1" "$man"
	expect_exit 1 "$mode: a manifest under the wrong name fails verify" bw verify --repo r
	expect_grep "$T/err" "does not match its name" "$mode: and says so"
	cp saved.m "$man"
	expect_exit 0 "$mode: all good again" bw verify --repo r --read-data

	# --repair moves a damaged chunk aside, and the next backup of that data stores it afresh
	flip "$chunk" $((size / 2))
	expect_exit 2 "$mode: --repair needs --read-data" bw verify --repo r --repair
	expect_exit 1 "$mode: verify --read-data --repair reports the damage" bw verify --repo r --read-data --repair
	expect_grep "$T/out" "moved 1 damaged object to quarantine/" "$mode: and moves the object aside"
	[ ! -e "$chunk" ] && ls r/quarantine/ | grep -q "^$(basename "$chunk")-" && pass "$mode: it is in quarantine/" || fail "$mode: it is in quarantine/"
	expect_exit 1 "$mode: the snapshot that used it now lacks it" bw verify --repo r
	expect_grep "$T/err" "$(basename "$chunk"): missing" "$mode: verify names the missing chunk"
	again=$("$W" write r $bseed 2 2) && pass "$mode: a new backup of the same data" || fail "$mode: a new backup of the same data"
	expect_exit 0 "$mode: reads back byte for byte" "$W" check r "$again" $bseed 2 2
	[ -e "$chunk" ] && pass "$mode: the chunk was stored afresh" || fail "$mode: the chunk was stored afresh"
	expect_exit 0 "$mode: and everything verifies again" bw verify --repo r --read-data

	# a snapshot a newer blastwall wrote is not damage: named, never moved aside
	fut=$("$W" future r "$again") && pass "$mode: a manifest of version 99 is stored" || fail "$mode: storing a version 99 manifest"
	expect_exit 1 "$mode: verify reports the newer snapshot" bw verify --repo r --read-data --repair
	expect_grep "$T/err" "manifest version 99 is newer than this blastwall" "$mode: and says it is newer, not damaged"
	[ -e "r/snapshots/$fut" ] && pass "$mode: --repair leaves the newer manifest in place" || fail "$mode: the newer manifest was moved"
	rm -f "r/snapshots/$fut"
	unset BLASTWALL_KEY_FILE
done
