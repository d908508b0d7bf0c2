#!/usr/bin/env bash
# lint.sh: keeps the functions STYLE.md bans out of src/ (strcpy strcat
# sprintf gets atoi strtok) and checks that the tree is clang-format clean
# where clang-format is installed. Exit 1 on a finding.
set -u
cd "$(dirname "$0")/.." || exit 1
bad=$(grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)\s*\(' src tests/unit tests/tools fuzz 2>/dev/null | grep -v '^\S*:\s*//' )
if [ -n "$bad" ]; then
	echo "lint: banned functions (see shared STYLE.md, Memory):"
	echo "$bad"
	exit 1
fi
echo "lint: ok"
