#!/usr/bin/env bash
# deps.sh build|test|bench: installs the Debian packages blastwall needs for
# that purpose, only those missing, quietly. Safe to run again and again.
set -eu
what=${1:-build}
build_pkgs="gcc make pkg-config sqlite3 libpq-dev libsqlite3-dev libzstd-dev libsodium-dev libyaml-dev libjansson-dev"
# tests: shfmt for the parser's differential test, PostgreSQL (server and
# client) and sqlite3 for backup round trips, clang + its runtime for fuzzing
# and sanitizers, jq for the plan fixtures' cross-checks.
test_pkgs="$build_pkgs shfmt postgresql postgresql-client sqlite3 clang libclang-rt-14-dev jq zstd"
bench_pkgs="$test_pkgs hyperfine restic nodejs npm time"
case $what in
build) want=$build_pkgs ;;
test) want=$test_pkgs ;;
bench) want=$bench_pkgs ;;
*) echo "usage: scripts/deps.sh build|test|bench" >&2; exit 2 ;;
esac
missing=()
for p in $want; do
	# a package counts as present when dpkg says it is installed, or when it
	# is a tool (nodejs/npm) found on PATH from another install
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then continue; fi
	case $p in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
	missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then sudo=sudo; else
		echo "blastwall: these Debian packages are missing: ${missing[*]}" >&2
		echo "hint: run 'apt-get install ${missing[*]}' as root, then try again" >&2
		exit 1
	fi
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
