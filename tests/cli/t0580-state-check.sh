#!/usr/bin/env bash
# t0580: 'blastwall state check|pin|accept|history' on the generated fixture
# states: first sight pins, a swapped lineage and a stale copy fire, accept
# clears, history records each step once.
. "$(dirname "$0")/lib.sh"
G=$SHARED/fixtures/terraform/generated
A=$G/state-a.tfstate            # lineage 5488954c..., serial 14, 7 resources
B=$G/state-b-other-lineage.tfstate  # lineage 888acaea..., serial 8
STALE=$G/state-a-stale.tfstate  # lineage 5488954c..., serial 8
if [ ! -f "$A" ]; then skip "state guard on fixtures" "fixtures not found at $G"; exit 0; fi

expect_exit 0 "state --help exits 0" bw state --help
expect_grep "$T/out" "accept" "help names accept"
expect_exit 2 "no subcommand is a usage error" bw state
expect_exit 2 "unknown subcommand is a usage error" bw state frobnicate
expect_grep "$T/err" "not a state subcommand" "unknown subcommand is named"
expect_exit 2 "--tool takes terraform or tofu" bw state check --tool bash
expect_exit 2 "--plan only with check" bw state pin --plan x
expect_exit 3 "a missing directory cannot be checked" bw state check "$T/nope"
expect_grep "$T/err" "no such directory" "the missing directory is named"
expect_exit 3 "--json errors too" bw state check --json "$T/nope"
if jq -e '.error | test("no such directory")' "$T/out" >/dev/null; then pass "the JSON names the error"
else fail "the JSON names the error"; fi

mkdir w && cp "$A" w/terraform.tfstate
expect_exit 0 "first sight pins" bw state check w
expect_grep "$T/out" "first sight: pinned now" "first sight is reported"
expect_exit 0 "unchanged state passes" bw state check w
expect_grep "$T/out" "unchanged" "unchanged is reported"
touch w/terraform.tfstate
expect_exit 0 "a touched but unchanged state passes" bw state check w
expect_grep "$T/out" "unchanged" "the bytes decide, not the timestamps"

cp "$B" w/terraform.tfstate
expect_exit 1 "a swapped lineage fires" bw state check w
expect_grep "$T/out" "terraform.state-swapped" "the rule is named"
expect_grep "$T/out" "lineage changed from 5488954c\.\.\. to 888acaea\.\.\." "old and new lineage are cited"
expect_grep "$T/out" "replaced just now" "when it was replaced is said"
expect_grep "$T/out" "state accept" "the hint names state accept"
expect_exit 1 "the swap is never auto-accepted" bw state check w
expect_exit 1 "pin is refused while the guard fires" bw state pin w
expect_grep "$T/err" "state accept" "the refusal points at accept"

expect_exit 0 "history" bw state history w
n=$(grep -c ' swapped ' "$T/out")
if [ "$n" -eq 1 ]; then pass "the detection is recorded once"; else fail "swapped recorded $n times"; fi
expect_grep "$T/out" " pin .*first sight" "history has the first pin"

expect_exit 0 "accept" bw state accept w
expect_grep "$T/out" "accepted lineage 888acaea" "accept names the new state"
expect_grep "$T/out" "previous pin: lineage 5488954c" "accept names the old pin"
expect_exit 0 "after accept the check passes" bw state check w
expect_exit 0 "history --json" bw state history w --json
if jq -e '.events[0].event == "accept" and .events[0].old.lineage == "5488954c-5db3-8736-1217-9f6373d1739d"
	and .events[0].new.serial == 8' "$T/out" >/dev/null; then
	pass "history JSON records the accept with the old pin"
else fail "history JSON"; sed 's/^/#   /' "$T/out" | head -30; fi

# an older copy of the same state (serial went down)
mkdir w2 && cp "$A" w2/terraform.tfstate
expect_exit 0 "pin w2" bw state pin w2
expect_grep "$T/out" "pinned lineage 5488954c" "pin reports what it pinned"
cp "$STALE" w2/terraform.tfstate
expect_exit 1 "a lower serial fires" bw state check w2
expect_grep "$T/out" "terraform.state-serial-down" "serial-down rule"
expect_grep "$T/out" "serial went down from 14 to 8" "both serials are cited"

# the normal move: same lineage, serial up
mkdir w3 && cp "$STALE" w3/terraform.tfstate
expect_exit 0 "pin the older one" bw state check w3
cp "$A" w3/terraform.tfstate
expect_exit 0 "a forward move passes" bw state check w3
expect_grep "$T/out" "moved forward" "forward move is pinned"
expect_exit 0 "and is the new pin" bw state check w3 --json
if jq -e '.verdict == "same" and .pinned.serial == 14' "$T/out" >/dev/null; then pass "pin follows forward moves"
else fail "pin did not follow"; fi

# missing where one was pinned
mkdir w4 && cp "$A" w4/terraform.tfstate
bw state check w4 >/dev/null
rm w4/terraform.tfstate
expect_exit 1 "a missing pinned state fires" bw state check w4
expect_grep "$T/out" "terraform.state-missing" "missing rule"
expect_grep "$T/out" "with 7 resources" "the pinned count is cited"
expect_exit 0 "accepting no state" bw state accept w4
expect_exit 0 "then the check passes" bw state check w4
expect_grep "$T/out" "no state, as pinned" "accepted absence is reported"
cp "$A" w4/terraform.tfstate
expect_exit 0 "a state appearing after an accepted absence is pinned" bw state check w4
expect_grep "$T/out" "appeared" "appearance is reported"

# no pin, but the backup shows what the state held
mkdir w5 && cp "$A" w5/terraform.tfstate.backup
expect_exit 1 "a backup with resources and no state fires" bw state check w5
expect_grep "$T/out" "terraform.tfstate.backup" "the backup is cited"

# first sight, but the state does not continue its backup (Terraform wrote the backup, not the state)
mkdir wb && cp "$B" wb/terraform.tfstate && cp "$A" wb/terraform.tfstate.backup
expect_exit 1 "first sight of a state whose backup has another lineage fires" bw state check wb
expect_grep "$T/out" "stop terraform.state-swapped" "it is a swap"
expect_grep "$T/out" "backup 'terraform.tfstate.backup'.* has lineage 5488954c" "the backup is the witness"
expect_grep "$T/out" "first-sight \(not pinned: the guard fires\)" "it says it did not pin"
expect_exit 1 "it is not pinned: the next look fires again" bw state check wb
expect_exit 1 "pin refuses it" bw state pin wb
expect_exit 0 "accept pins it" bw state accept wb
expect_exit 0 "history of wb" bw state history wb
expect_grep "$T/out" "accepted despite terraform.state-swapped" "the accept records what it overrode"
expect_exit 0 "then it passes" bw state check wb
mkdir wc && cp "$STALE" wc/terraform.tfstate && cp "$A" wc/terraform.tfstate.backup
expect_exit 1 "first sight of a state older than its backup fires" bw state check wc
expect_grep "$T/out" "stop terraform.state-serial-down" "it is a rollback"
# first sight of a file put in place with an old modification time (an archive, cp -p)
mkdir wd && cp "$A" wd/terraform.tfstate && touch -d '2024-03-01 12:00' wd/terraform.tfstate
expect_exit 1 "first sight of an old copy warns" bw state check wd
expect_grep "$T/out" "warn terraform.state-restored-copy" "restored-copy warning"
expect_grep "$T/out" "modification time says 2024-03-01" "the old mtime is given"
expect_exit 0 "it was pinned: the next look passes" bw state check wd

# workspaces: .terraform/environment, --workspace, TF_WORKSPACE
mkdir -p w6/.terraform w6/terraform.tfstate.d/staging
printf 'staging' > w6/.terraform/environment
cp "$A" w6/terraform.tfstate.d/staging/terraform.tfstate
expect_exit 0 "workspace from .terraform/environment" bw state check w6
expect_grep "$T/out" "workspace staging \(from .terraform/environment\)" "workspace and its source shown"
expect_grep "$T/out" "terraform.tfstate.d/staging/terraform.tfstate" "workspace state path"
expect_exit 0 "another workspace has its own pin" bw state check w6 --workspace blue
expect_grep "$T/out" "no state, nothing pinned" "empty workspace"
TF_WORKSPACE=staging expect_exit 0 "TF_WORKSPACE selects the workspace" bw state check w6 --json
if jq -e '.backend.workspace == "staging" and .backend.workspace_from == "TF_WORKSPACE"' "$T/out" >/dev/null
then pass "TF_WORKSPACE in JSON"; else fail "TF_WORKSPACE in JSON"; fi

# production on a local backend is a warning that makes check fail
mkdir -p w7/terraform.tfstate.d/prod && cp "$A" w7/terraform.tfstate.d/prod/terraform.tfstate
TF_WORKSPACE=prod expect_exit 1 "prod workspace with local state fails the check" bw state check w7
expect_grep "$T/out" "warn terraform.state-local-prod" "local-prod warning"
expect_grep "$T/out" "workspace 'prod' matches the production pattern" "the production reason is given"
mkdir w10 && cp "$A" w10/terraform.tfstate
printf 'production:\n  paths: ["*/w10"]\n' > w10/.blastwall.yaml
expect_exit 1 "a production path with local state fails the check" bw state check w10
expect_grep "$T/out" "directory '.*/w10' matches the production pattern" "production path named"

# --no-pin leaves the journal alone
mkdir w8 && cp "$A" w8/terraform.tfstate
expect_exit 0 "--no-pin" bw state check --no-pin w8
expect_exit 0 "history after --no-pin" bw state history w8
expect_grep "$T/out" "no state history" "nothing was recorded"

# an unreadable state
mkdir w9 && printf '{"version": 4, "lineage": ' > w9/terraform.tfstate
expect_exit 3 "a damaged state cannot be checked" bw state check w9
expect_grep "$T/out" "terraform.state-unreadable" "damaged state is a finding"

mkdir -p w12 && mkfifo w12/terraform.tfstate
expect_exit 3 "a FIFO in place of the state is not read (no hang)" timeout 10 "$BLASTWALL" state check w12
expect_grep "$T/out" "is not a regular file" "and is named"

# JSON of a firing check
expect_exit 1 "check --json fires too" bw state check w2 --json
if jq -e '.schema == "blastwall.state/1" and .verdict == "serial-down" and .fires == true
	and (.findings | length) == 1 and .pinned.serial == 14 and .state.serial == 8' "$T/out" >/dev/null
then pass "check JSON"; else fail "check JSON"; sed 's/^/#   /' "$T/out" | head -40; fi

# a state file given directly (as terraform -state=FILE would use it)
mkdir f && cp "$A" f/prod-copy.tfstate
expect_exit 0 "a state file is checked by itself" bw state check f/prod-copy.tfstate
expect_grep "$T/out" "file: +.*/f/prod-copy.tfstate" "its path is the state"
cp "$B" f/prod-copy.tfstate
expect_exit 1 "and its swap fires" bw state check f/prod-copy.tfstate
expect_exit 0 "accept takes a file too" bw state accept f/prod-copy.tfstate

rm -rf w3
expect_exit 0 "the history of a removed directory" bw state history w3
expect_grep "$T/out" " forward " "is still there"
expect_exit 0 "history --all lists every directory" bw state history --all
expect_grep "$T/out" "/w7" "--all shows directories"
