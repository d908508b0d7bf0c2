#!/usr/bin/env bash
# In-process cost of guard_decide (parse + unwrap + rules, no process start):
# the labelled corpus and all of nl2bash, microseconds per decision.
# Usage: bench/guard/run.sh [BUILD_DIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
tool="$build/tools/guard_corpus"
[ -x "$tool" ] || { echo "build first: make BUILD=$build all" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/proj/.git"
export HOME="$work/home" BLASTWALL_STATE_DIR="$work/state" BLASTWALL_CONFIG_DIR="$work/config"
mkdir -p "$HOME"
grep -hv '^#' "$root"/tests/corpus/*.tsv | cut -f3 | sed 's/\xe2\x8f\x8e/ /g' >"$work/corpus.txt"
# terraform commands also run the terraform module's state assessment (state files, journal): measured apart
grep -E 'terraform|tofu|terragrunt' "$work/corpus.txt" >"$work/corpus-terraform.txt"
grep -vE 'terraform|tofu|terragrunt' "$work/corpus.txt" >"$work/corpus-other.txt"
for f in "$work/corpus-other.txt" "$work/corpus-terraform.txt" "$root/../shared/corpora/nl2bash.cm"; do
	[ -r "$f" ] || continue
	best=""
	for run in 1 2 3 4 5; do
		us=$("$tool" --cwd "$work/proj" --scan "$f" | tail -n 1 | sed -E 's/.*; ([0-9.]+) us per decision/\1/')
		if [ -z "$best" ] || awk -v a="$us" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$us; fi
	done
	printf '%-24s %6d commands  %8s us per decision (best of 5)\n' "$(basename "$f")" "$(wc -l <"$f")" "$best"
done
