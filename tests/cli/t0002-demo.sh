#!/usr/bin/env bash
# "make demo" is the README's first command: run the demo script with the
# built binary and check that each part shows what it promises.
. "$(dirname "$0")/lib.sh"
root=$TESTS_DIR/..
if ! command -v sqlite3 >/dev/null; then
	skip "demo" "sqlite3 is not installed (scripts/deps.sh build installs it)"
	exit 0
fi
before=$(ls -d "${TMPDIR:-/tmp}"/blastwall-demo.* 2>/dev/null | sort)
bash "$root/scripts/demo.sh" "$BLASTWALL" >"$T/demo.out" 2>"$T/demo.err"
rc=$?
[ $rc -eq 0 ] && pass "the demo runs to the end" || { fail "the demo runs to the end (exit $rc)"; sed 's/^/#   /' "$T/demo.err" | tail -n 20; }
expect_grep "$T/demo.out" '^allow +git status$' "the demo allows git status"
expect_grep "$T/demo.out" '^deny +bash -c "sudo rm -rf ~"$' "the demo denies rm -rf ~ hidden in bash -c and sudo"
expect_grep "$T/demo.out" '^deny +terraform destroy -auto-approve$' "the demo denies terraform destroy of a state holding a database"
expect_grep "$T/demo.out" 'aws_db_instance.courses \(deletion_protection=false' "the destroy names the database and why its data is lost"
expect_grep "$T/demo.out" 'rule terraform.state-swapped' "the swapped state is caught"
expect_grep "$T/demo.out" 'lineage changed from 1b6e7c2a\.\.\. to 9c02d4e6\.\.\.' "the lineage change is the evidence"
expect_grep "$T/demo.out" 'data-loss +aws_db_instance.courses' "the plan report ranks the database first"
expect_grep "$T/demo.out" '^snapshot [0-9a-f]{12} saved' "the SQLite database is backed up"
expect_grep "$T/demo.out" '^restored snapshot [0-9a-f]{12} into .*restored.db: 2 tables, 20020 rows' "the snapshot restores with every row"
expect_grep "$T/demo.out" '^drill passed' "the drill passes"
after=$(ls -d "${TMPDIR:-/tmp}"/blastwall-demo.* 2>/dev/null | sort)
[ "$before" = "$after" ] && pass "the demo leaves no temp dir behind" || fail "the demo leaves no temp dir behind"
