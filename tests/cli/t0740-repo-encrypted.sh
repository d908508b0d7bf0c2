#!/usr/bin/env bash
# Encrypted repositories: key file (created by init) and passphrase, wrong
# keys give "wrong key or passphrase", never data; nothing readable on disk.
. "$(dirname "$0")/lib.sh"
W=$(dirname "$BLASTWALL")/tools/repo-writer
[ -x "$W" ] || { fail "driver $W is missing"; exit 0; }

expect_exit 2 "--encrypt without a key" bw repo init r --encrypt
expect_grep "$T/err" "--key-file F or --passphrase-file F" "says what is needed"
expect_exit 0 "init --encrypt --key-file creates the key" bw repo init r --encrypt --key-file k
expect_grep "$T/out" "created key file 'k'" "says it created the key file"
[ "$(stat -c %a k)" = 600 ] && pass "the key file is private (0600)" || fail "the key file is private ($(stat -c %a k))"
expect_exit 0 "repo info with the key" bw repo info --repo r --key-file k
expect_grep "$T/out" "XChaCha20-Poly1305" "info says it is encrypted"
expect_grep "$T/out" "object ids  hmac-sha256" "an encrypted repository keys its object ids (HMAC-SHA-256)"
expect_exit 1 "no key" bw snapshots --repo r
expect_grep "$T/err" "repository 'r' is encrypted: a key is needed" "asks for a key"
head -c 32 /dev/urandom >other
expect_exit 1 "another key file" bw snapshots --repo r --key-file other
expect_grep "$T/err" "wrong key or passphrase for repository 'r'" "wrong key is named"
echo short >shortkey
expect_exit 1 "a too short key file" bw snapshots --repo r --key-file shortkey
expect_grep "$T/err" "at least 16" "says so"
expect_exit 1 "a passphrase for a key-file repository" env BLASTWALL_PASSPHRASE=x "$BLASTWALL" snapshots --repo r
expect_grep "$T/err" "encrypted with a key file" "says which kind of key it needs"

id=$(BLASTWALL_KEY_FILE=$T/k "$W" write r 5 2 1) && pass "write with the key" || fail "write with the key"
expect_exit 0 "read back with the key" env BLASTWALL_KEY_FILE="$T/k" "$W" check r "$id" 5 2 1
expect_exit 1 "read with the wrong key fails" env BLASTWALL_KEY_FILE="$T/other" "$W" check r "$id" 5 2 1
expect_grep "$T/err" "wrong key or passphrase" "with the wrong-key message"
if grep -rqa "example.com" r; then fail "no plaintext on disk"; else pass "no plaintext on disk"; fi
expect_exit 0 "verify --read-data with the key" bw verify --repo r --read-data --key-file k

printf 'correct horse battery staple\n' >pw
printf 'correct horse battery stapler\n' >pw2
expect_exit 0 "init with a passphrase file" bw repo init p --passphrase-file pw
expect_exit 0 "open with the passphrase file" bw snapshots --repo p --passphrase-file pw
expect_exit 0 "and with BLASTWALL_PASSPHRASE" env BLASTWALL_PASSPHRASE='correct horse battery staple' "$BLASTWALL" snapshots --repo p
expect_exit 1 "a wrong passphrase" bw snapshots --repo p --passphrase-file pw2
expect_grep "$T/err" "wrong key or passphrase for repository 'p'" "is named"
: >empty
expect_exit 1 "an empty passphrase file" bw snapshots --repo p --passphrase-file empty
expect_grep "$T/err" "is empty" "is refused"
expect_exit 0 "repo unlock needs no key" bw repo unlock --repo p
