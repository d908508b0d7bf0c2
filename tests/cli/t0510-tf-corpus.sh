#!/usr/bin/env bash
# t0510: expected blast-radius reports (tests/corpus/terraform/CASES) for a
# representative set of the shared fixtures: generated changes, destroy,
# protected-destroy and missing-state plans, binary plans, requires-replace,
# action_reason, checkov deleted resources, a UTF-16 plan, and posture of
# data-bearing states. BW_UPDATE_CORPUS=1 rewrites the expected files.
. "$(dirname "$0")/lib.sh"
C="$TESTS_DIR/corpus/terraform"
FX=${SHARED:+$SHARED/fixtures/terraform}
if [ -z "$FX" ] || [ ! -f "$FX/INDEX.tsv" ]; then
	skip "terraform corpus" "../shared/fixtures/terraform is not present"
	exit 0
fi
cd "$FX" || exit 1
while IFS=$'\t' read -r name args; do
	case $name in '#'* | '') continue ;; esac
	# shellcheck disable=SC2086 # the arguments are words by design
	{ bw $args; echo "exit $?"; } >"$T/got" 2>&1
	if [ "${BW_UPDATE_CORPUS:-}" = 1 ]; then
		cp "$T/got" "$C/$name.out"
		pass "$name: updated"
	elif [ ! -f "$C/$name.out" ]; then
		fail "$name: no expected file $name.out (run with BW_UPDATE_CORPUS=1)"
	elif diff -u "$C/$name.out" "$T/got" >"$T/diff"; then
		pass "$name"
	else
		fail "$name: output differs"
		sed 's/^/#   /' "$T/diff" | head -n 30
	fi
done <"$C/CASES"
