#!/usr/bin/env bash
# demo.sh BLASTWALL: what "make demo" shows a new user, on an embedded default
# that needs no cloud account and no database server:
#   1. the guard deciding on real commands an agent might run,
#   2. the blast radius of a Terraform plan that deletes a database,
#   3. a SQLite database backed up, listed, restored and drilled.
# Everything happens in a temporary directory that is removed at the end.
set -eu
bw=${1:-build/blastwall}
bw=$(cd "$(dirname "$bw")" && pwd)/$(basename "$bw")
root=$(cd "$(dirname "$0")/.." && pwd)
demo=$(mktemp -d "${TMPDIR:-/tmp}/blastwall-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
export BLASTWALL_STATE_DIR="$demo/state" BLASTWALL_CONFIG_DIR="$demo/config"
mkdir -p "$demo/project"
cd "$demo/project"
# the project holds a Terraform state like the incident's: a VPC, an RDS
# database whose backups die with it, ECS, a load balancer, a bastion host
cp "$root/scripts/demo/terraform.tfstate" "$demo/project/terraform.tfstate"

bold=$(tput bold 2>/dev/null || true) reset=$(tput sgr0 2>/dev/null || true)
[ -t 1 ] || bold= reset=
section() { printf '\n%s== %s%s\n' "$bold" "$*" "$reset"; }

section "1. The guard: what an agent may run"
while IFS= read -r cmd; do
	case $cmd in '' | '#'*) continue ;; esac
	set +e
	out=$("$bw" check --cwd "$demo/project" "$cmd" 2>&1)
	set -e
	decision=$(printf '%s\n' "$out" | head -n 1)
	printf '%-6s %s\n' "$decision" "$cmd"
	if [ "$decision" != allow ]; then
		printf '%s\n' "$out" | sed -n '2,3p' | cut -c1-150 | sed 's/^/         /'
	fi
done <"$root/scripts/demo-commands.txt"

section "2. Terraform: the incident, replayed"
echo "\$ blastwall state check     # pins the state's lineage, serial and resource count"
"$bw" state check "$demo/project" || true
echo
echo "An old archive is unpacked over the project and its terraform.tfstate replaces the working one."
cp "$root/scripts/demo/old-archive.tfstate" "$demo/project/terraform.tfstate"
echo "The agent runs: terraform destroy -auto-approve"
"$bw" check --cwd "$demo/project" 'terraform destroy -auto-approve' | fold -s -w 110 || true
echo
echo "\$ blastwall plan incident-destroy.plan.json     # what a destroy plan would take, ranked by data loss"
"$bw" plan "$root/scripts/demo/incident-destroy.plan.json" || true

section "3. Backups: a SQLite database backed up, restored and drilled"
sqlite3 "$demo/app.db" <<'SQL'
CREATE TABLE courses(id INTEGER PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE submissions(id INTEGER PRIMARY KEY, course_id INTEGER REFERENCES courses(id), body TEXT, submitted_at TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO courses SELECT i, 'Course ' || i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO submissions SELECT i, 1 + i % 20, 'answer ' || hex(randomblob(40)), datetime('2024-01-01', '+' || i || ' minutes') FROM n;
SQL
echo "\$ blastwall repo init $demo/backups"
"$bw" repo init "$demo/backups"
echo "\$ blastwall backup sqlite:$demo/app.db --repo $demo/backups"
"$bw" backup "sqlite:$demo/app.db" --repo "$demo/backups"
echo "\$ blastwall snapshots --repo $demo/backups"
"$bw" snapshots --repo "$demo/backups"
echo "\$ blastwall restore --repo $demo/backups --into sqlite:$demo/restored.db"
"$bw" restore --repo "$demo/backups" --into "sqlite:$demo/restored.db"
echo "\$ blastwall drill --repo $demo/backups"
"$bw" drill --repo "$demo/backups"
printf '\n%sdone.%s Next: blastwall install claude (in your repository), then see README.md.\n' "$bold" "$reset"
