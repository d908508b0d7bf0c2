#!/usr/bin/env bash
# The guard's labelled command corpus (tests/corpus/*.tsv), run in-process by
# the guard_corpus tool in a fixture project: a git work tree with
# infra/terraform.tfstate, app.db and a build dir. Also checks that every
# rule "blastwall rules --json" lists has a blocking and a passing case.
#
# The fixture lives next to the binary, not under /tmp: temp directories are
# places where removals are allowed, so a project inside one would hide the
# filesystem rules.
. "$(dirname "$0")/lib.sh"
TOOL=$(dirname "$BLASTWALL")/tools/guard_corpus
[ -x "$TOOL" ] || { fail "guard_corpus tool not built ($TOOL)"; exit 0; }
unset AWS_PROFILE AWS_DEFAULT_PROFILE KUBECONFIG TF_WORKSPACE CLOUDSDK_CORE_PROJECT PGHOST DATABASE_URL RAILS_ENV \
	MIX_ENV NODE_ENV TMPDIR DJANGO_SETTINGS_MODULE
F=$(cd "$(dirname "$BLASTWALL")" && pwd)/corpus-fixture.$$
case $F in
/tmp/* | /var/tmp/* | /dev/shm/* | "${TMPDIR:-/nonexistent}"/*)
	# a clone under a temp dir (as CI may make): put the fixture where
	# removals are not relaxed and no corpus path points; /mnt needs root, which CI has
	F=$(mktemp -d /mnt/blastwall-corpus.XXXXXX 2>/dev/null) || {
		skip "guard corpus" "the build is under a temp dir and /mnt is not writable"
		exit 0
	}
	;;
esac
at_exit "rm -rf '$F'"
P="$F/w/proj"
H="$F/h/home"
mkdir -p "$P/.git" "$P/infra" "$P/build" "$P/src" "$H/.kube" "$H/other"
echo '{"version":4,"serial":1,"lineage":"x","resources":[]}' >"$P/infra/terraform.tfstate"
: >"$P/app.db"
: >"$P/infra/old.tfstate"
printf 'apiVersion: v1\ncurrent-context: dev-cluster\n' >"$H/.kube/config"
printf 'DROP TABLE users;\n' >"$P/drop.sql"
printf 'SELECT 1;\n' >"$P/select.sql"
printf 'rm -rf /\n' >"$P/evil.sh"
printf 'ls -la\n' >"$P/fine.sh"
cat >"$P/package.json" <<'JSON'
{"scripts": {"reset": "prisma migrate reset --force", "build": "tsc -p .", "test": "jest",
 "clean": "rm -rf dist", "nuke": "rm -rf ~", "deploy": "npm run build && serverless deploy"}}
JSON
bw rules --json >"$T/rules.json" || fail "blastwall rules --json failed"
HOME="$H" "$TOOL" --cwd "$P" --rules "$T/rules.json" "$TESTS_DIR"/corpus/*.tsv
