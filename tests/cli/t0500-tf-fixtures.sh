#!/usr/bin/env bash
# t0500: every Terraform fixture in ../shared/fixtures/terraform (INDEX.tsv)
# reads: plans through 'blastwall plan' (binary plans decoded without
# terraform), states through 'blastwall posture'. Resource counts and the
# delete/replace flag must match the index; the deliberately invalid files
# must fail with exit 3 and a message naming the problem, and so must the
# files that are not plans (plan text output, the plan -json UI stream, a
# provider schema).
. "$(dirname "$0")/lib.sh"
FX=${SHARED:+$SHARED/fixtures/terraform}
if [ -z "$FX" ] || [ ! -f "$FX/INDEX.tsv" ]; then
	skip "terraform fixtures" "../shared/fixtures/terraform is not present"
	exit 0
fi
command -v jq >/dev/null || { skip "terraform fixtures" "jq is not installed"; exit 0; }
cd "$FX" || exit 1
nplans=0 nstates=0
while IFS=$'\t' read -r file kind _src _lic resources delrep detail; do
	case $kind in
	plan-json | plan-zip)
		nplans=$((nplans + 1))
		bw plan --json --fail-on none --no-exec "$file" >"$T/out" 2>"$T/err"
		rc=$?
		if [[ $detail == *"invalid on purpose"* ]]; then
			if [ $rc -eq 3 ] && grep -q "is not valid JSON" "$T/err"; then pass "$file: refused with a clear error"
			else fail "$file: wanted exit 3 and 'is not valid JSON' (exit $rc: $(head -c 200 "$T/err"))"; fi
			continue
		fi
		if [ $rc -ne 0 ]; then fail "$file: exit $rc: $(head -c 300 "$T/err")"; continue; fi
		got=$(jq -r '(.counts | del(.read, .import, ."delete-create", ."create-delete") | add) as $n
			| "\($n) \(if .blast.deleted > 0 then "yes" else "no" end)"' "$T/out")
		if [ "$got" = "$resources $delrep" ]; then pass "$file: $resources resources, delete/replace $delrep"
		else fail "$file: got '$got', index says '$resources $delrep'"; fi
		;;
	plan-log | plan-ui-jsonl | schema)
		# not plans: each must be refused with a message that says what it is
		bw plan "$file" >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -eq 3 ] && grep -Eq "text output of a plan|JSON lines stream|not a Terraform plan" "$T/err"; then
			pass "$file ($kind): refused, named"
		else fail "$file ($kind): exit $rc: $(head -c 200 "$T/err")"; fi
		;;
	tfstate | state-json)
		nstates=$((nstates + 1))
		bw posture --json "$file" >"$T/out" 2>"$T/err"
		rc=$?
		if [[ $detail == *"invalid on purpose"* ]]; then
			if [ $rc -eq 3 ] && grep -q "is not valid JSON" "$T/err"; then pass "$file: refused with a clear error"
			else fail "$file: wanted exit 3 and 'is not valid JSON' (exit $rc)"; fi
			continue
		fi
		if [ $rc -gt 1 ]; then fail "$file: exit $rc: $(head -c 300 "$T/err")"; continue; fi
		got=$(jq -r .resources "$T/out")
		if [ "$got" = "$resources" ]; then pass "$file: $resources instances"
		else fail "$file: $got instances, index says $resources"; fi
		;;
	esac
done < <(tail -n +2 INDEX.tsv | sed -e 's/\t\t/\t-\t/g' -e 's/\t\t/\t-\t/g' -e 's/\t$/\t-/')
# (empty columns become "-": read would merge adjacent tabs)
[ $nplans -ge 120 ] && pass "read $nplans plans" || fail "only $nplans plans in the index"
[ $nstates -ge 100 ] && pass "read $nstates states" || fail "only $nstates states in the index"
