# shellcheck shell=bash
# Shared helpers for wbscope's shell scripts. Source it; do not run it.

WBSCOPE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WBSCOPE_CACHE=${WBSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wbscope}
export WBSCOPE_ROOT WBSCOPE_CACHE

# Messages go to stderr so that commands can be used in pipelines.
_ts() { date +%H:%M:%S; }
log()  { printf '[%s] %s: %s\n' "$(_ts)" "${WBSCOPE_TAG:-wbscope}" "$*" >&2; }
warn() { printf '[%s] %s: warning: %s\n' "$(_ts)" "${WBSCOPE_TAG:-wbscope}" "$*" >&2; }
# die MESSAGE [STATUS]: print an error naming the problem and exit (status 1 by default).
die()  { printf '[%s] %s: error: %s\n' "$(_ts)" "${WBSCOPE_TAG:-wbscope}" "$1" >&2; exit "${2:-1}"; }

# Print the comment block at the top of a script (after the #! line) as its help text.
usage_from_header() {
	awk 'NR == 1 && /^#!/ { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$1"
}

# step NAME CMD...: run a long step, print its start, end and duration.
step() {
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	log "==> $name"
	"$@"
	rc=$?
	log "<== $name ($(( $(date +%s) - t0 ))s, exit $rc)"
	return $rc
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "this step installs packages and must run as root"
}

# Read KEY=VALUE files (no shell evaluation) and print the value of KEY.
conf_get() {
	local file=$1 key=$2
	sed -n "s/^${key}=//p" "$file" | tail -n 1
}

# Private apt configuration: own sources list, own lists and cache directories under
# the cache dir, so that suites newer than bookworm are never added to the system's
# sources. Used for `apt-get download` of single packages and, for bookworm-backports,
# for installing.
WBSCOPE_APT=$WBSCOPE_CACHE/apt

# apt_private NAME SUITES: print apt options for a private configuration NAME.
apt_private_opts() {
	local name=$1
	printf '%s\n' \
		-o "Dir::Etc::SourceList=$WBSCOPE_APT/$name.sources" \
		-o "Dir::Etc::SourceParts=$WBSCOPE_APT/empty.d" \
		-o "Dir::State::Lists=$WBSCOPE_APT/$name-lists" \
		-o "Dir::Cache=$WBSCOPE_APT/$name-cache" \
		-o "APT::Get::List-Cleanup=0" \
		-o "APT::Sandbox::User=root"
}

# apt_private_setup NAME "SUITE..." : write the sources file and refresh its lists when
# older than a day (or when forced with WBSCOPE_APT_REFRESH=1).
apt_private_setup() {
	local name=$1 suites=$2 mirror=${WBSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	local -a opts
	mkdir -p "$WBSCOPE_APT/empty.d" "$WBSCOPE_APT/$name-lists/partial" \
		"$WBSCOPE_APT/$name-cache/archives/partial"
	cat > "$WBSCOPE_APT/$name.sources.new" <<EOT
Types: deb
URIs: $mirror
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	local stamp=$WBSCOPE_APT/$name.stamp
	if ! cmp -s "$WBSCOPE_APT/$name.sources.new" "$WBSCOPE_APT/$name.sources"; then
		mv "$WBSCOPE_APT/$name.sources.new" "$WBSCOPE_APT/$name.sources"
		rm -f "$stamp"
	else
		rm -f "$WBSCOPE_APT/$name.sources.new"
	fi
	if [ "${WBSCOPE_APT_REFRESH:-0}" = 1 ] || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		mapfile -t opts < <(apt_private_opts "$name")
		log "apt ($name): updating package lists for: $suites"
		apt-get "${opts[@]}" -q update >&2 ||
			die "apt ($name): 'apt-get update' failed for suites '$suites' (network or mirror problem?)"
		touch "$stamp"
	fi
}

# The cached kernel tree, build directory and image for a flavour.
kernel_vars() {
	local flavour=${1:-${FLAVOUR:-default}}
	KFLAVOUR=$flavour
	KSRC=$WBSCOPE_CACHE/linux
	KOUT=$WBSCOPE_CACHE/build-$flavour
	KIMAGE=$KOUT/arch/x86/boot/bzImage
	KINFO=$KOUT/wbscope-kernel.info
}
