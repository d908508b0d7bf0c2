#!/usr/bin/env bash
# The command table, --help, --version and the man page agree: every command
# in the table is listed by --help, answers its own --help with exit 0, and has
# a section in the man page.
. "$(dirname "$0")/lib.sh"
root=$TESTS_DIR/..

expect_exit 0 "--version exits 0" bw --version
expect_grep "$T/out" '^blastwall [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"
expect_exit 0 "--help exits 0" bw --help
cp "$T/out" "$T/help"
expect_exit 2 "no command is a usage error" bw
expect_exit 2 "an unknown command is a usage error" bw frobnicate
expect_grep "$T/err" "'frobnicate' is not a blastwall command" "an unknown command is named"
expect_exit 2 "an unknown global option is a usage error" bw --frobnicate
expect_exit 2 "a bad --color value is a usage error" bw --color=sometimes --version

man=$(dirname "$BLASTWALL")/blastwall.1
[ -s "$man" ] && pass "the man page is built" || fail "the man page is built ($man)"
cmds=$(sed -n 's/^CMD(\([a-z_-]*\),.*/\1/p' "$root/src/cmd/commands.def")
[ -n "$cmds" ] && pass "the command table has rows" || fail "the command table has rows"
for c in $cmds; do
	grep -Eq "^  $c " "$T/help" && pass "--help lists $c" || fail "--help lists $c"
	bw "$c" --help >"$T/c.out" 2>"$T/c.err"; rc=$?
	[ $rc -eq 0 ] && [ -s "$T/c.out" ] && pass "$c --help exits 0 with text" || fail "$c --help exits 0 with text (exit $rc)"
	bw help "$c" >"$T/h.out" 2>&1
	cmp -s "$T/c.out" "$T/h.out" && pass "help $c equals $c --help" || fail "help $c equals $c --help"
	grep -Eq "^\.SS \"?blastwall $c( |\"|$)" "$man" && pass "man page documents $c" || fail "man page documents $c"
done
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$man" >"$T/man.txt" 2>"$T/man.err"
	[ -s "$T/man.txt" ] && pass "man renders the page" || fail "man renders the page"
	expect_no_grep "$T/man.err" 'warning|error' "the man page renders without warnings"
else
	skip "man renders the page" "man is not installed"
fi
