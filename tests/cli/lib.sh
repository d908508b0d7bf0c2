# lib.sh: sourced by every tests/cli/tNNNN-*.sh. Each test script runs the
# built binary ($BLASTWALL) in a fresh temp dir and prints one line per case:
#   ok - description | not ok - description | ok - description # SKIP reason
# The runner (run.sh) counts those lines.
set -u
: "${BLASTWALL:?BLASTWALL must point at the built binary}"
SHARED=${SHARED:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../shared" 2>/dev/null && pwd)}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/bw-cli.XXXXXX")
export HOME="$T/home" BLASTWALL_STATE_DIR="$T/state" BLASTWALL_CONFIG_DIR="$T/config" XDG_CONFIG_HOME="$T/home/.config"
mkdir -p "$HOME"
unset NO_COLOR
export TERM=dumb
_cleanups=()
at_exit() { _cleanups+=("$1"); }
_finish() {
	local c
	for c in "${_cleanups[@]+"${_cleanups[@]}"}"; do eval "$c" || true; done
	rm -rf "$T"
}
trap _finish EXIT
cd "$T" || exit 1
bw() { "$BLASTWALL" "$@"; }

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
skip() { echo "ok - $1 # SKIP $2"; }

# expect_exit CODE DESC CMD...: runs CMD (stdout/stderr in $T/out, $T/err)
expect_exit() {
	local want=$1 desc=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then pass "$desc"; else
		fail "$desc (exit $got, wanted $want)"
		sed 's/^/#   out: /' "$T/out" | head -n 20
		sed 's/^/#   err: /' "$T/err" | head -n 20
	fi
}
# expect_grep FILE REGEX DESC
expect_grep() {
	if grep -Eq -- "$2" "$1"; then pass "$3"; else
		fail "$3 (no /$2/ in $(basename "$1"))"
		sed 's/^/#   /' "$1" | head -n 20
	fi
}
expect_no_grep() {
	if ! grep -Eq -- "$2" "$1"; then pass "$3"; else
		fail "$3 (found /$2/ in $(basename "$1"))"
		sed 's/^/#   /' "$1" | head -n 20
	fi
}
