#!/usr/bin/env bash
# repo init / info / bad input: not a repository, non-empty directory, an
# existing repository, a newer format version, a damaged config.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "repo init creates a repository" bw repo init r
expect_grep "$T/out" "initialised blastwall repository 'r'" "init says what it made"
[ -f r/config ] && pass "the config is written" || fail "the config is written"
expect_exit 1 "init refuses an existing repository" bw repo init r
expect_grep "$T/err" "'r' is already a blastwall repository" "and says so"
mkdir full && echo x >full/file
expect_exit 1 "init refuses a non-empty directory" bw repo init full
expect_grep "$T/err" "not empty" "and says why"
mkdir empty
expect_exit 0 "init accepts an empty directory" bw repo init empty --compression-level 7
expect_exit 2 "a bad compression level is a usage error" bw repo init z --compression-level 99
expect_exit 2 "init without a path is a usage error" bw repo init
expect_exit 2 "an unknown repo subcommand is a usage error" bw repo frob

expect_exit 0 "repo info" bw repo info --repo empty
expect_grep "$T/out" "zstd level 7" "info shows the compression level"
expect_exit 0 "repo info --json" bw repo info empty --json
expect_grep "$T/out" '"encrypted": false' "info --json says it is not encrypted"
expect_grep "$T/out" '"version": 2' "a new repository is format version 2"
expect_grep "$T/out" '"id_hash": "sha256"' "and names its objects by SHA-256"

expect_exit 1 "snapshots on a plain directory" bw snapshots --repo full
expect_grep "$T/err" "'full' is not a blastwall repository" "names the path"
expect_grep "$T/err" "hint: create one with 'blastwall repo init full'" "hints at repo init"
expect_exit 1 "a missing path" bw verify --repo nowhere
expect_grep "$T/err" "'nowhere' is not a blastwall repository: it does not exist" "says it does not exist"
expect_exit 2 "no --repo and no BLASTWALL_REPO" bw snapshots
expect_grep "$T/err" "BLASTWALL_REPO" "hints at BLASTWALL_REPO"
BLASTWALL_REPO=r expect_exit 0 "BLASTWALL_REPO is used" bw snapshots
expect_grep "$T/out" "no snapshots yet" "an empty repository says so"

# a repository from a newer blastwall
cp -r r newer
sed -i 's/"version": [0-9]*/"version": 99/' newer/config
expect_exit 1 "a newer format version is refused" bw snapshots --repo newer
expect_grep "$T/err" "format version 99, newer than this blastwall" "names the version"
expect_grep "$T/err" "hint: upgrade blastwall" "hints at upgrading"

# a damaged config
cp -r r damaged
sed -i 's/"level": [0-9]*/"level": 4/' damaged/config
expect_exit 1 "a damaged config is refused" bw verify --repo damaged
expect_grep "$T/err" "config of repository 'damaged' is damaged" "says the config is damaged"
echo '{not json' >damaged/config
expect_exit 1 "a config that is not JSON" bw snapshots --repo damaged
expect_grep "$T/err" "is not a blastwall repository" "is not taken for a repository"

# remote repositories come later: say so instead of creating a directory named s3:
expect_exit 1 "an s3:// repository is refused clearly" bw repo init s3://bucket/backups
expect_grep "$T/err" "remote repositories are not supported by this blastwall yet" "with a message"
[ ! -e s3: ] && pass "and no local directory 's3:' is made" || fail "and no local directory 's3:' is made"
