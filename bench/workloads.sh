# shellcheck shell=bash
# Workload matrices and write-back targets, shared by bench/run and bench/overhead
# (sourced after scripts/lib.sh).
#
# A matrix (bench/matrix/*) has one workload per line, "NAME JOB [VAR=VALUE...]", plus
# "defaults VAR=VALUE..." lines for the lines below them and a "reps N" line; see
# bench/matrix/quick for the variables. matrix_load fills W_NAME, W_JOB and W_VARS
# (each workload's defaults and own variables, in that order) and MATRIX_REPS.
# workload_env I exports workload I's variables and applies its TARGET (vm.dirty_*
# and fio's FSYNC / END_FSYNC); dirty_restore puts vm.dirty_* back as dirty_save found
# them.

# matrix_resolve M: the file of matrix M (a file, or a name in bench/matrix), else dies.
matrix_resolve() {
	local m=$1
	[ -f "$m" ] || m=$WBSCOPE_ROOT/bench/matrix/$1
	[ -f "$m" ] || die "no matrix '$1' (bench/matrix has: $(ls "$WBSCOPE_ROOT/bench/matrix" | tr '\n' ' '))" 2
	echo "$m"
}

# matrix_load FILE [REGEX]: the workloads of FILE (those whose name matches REGEX).
# Every line is checked, selected or not: a bad matrix is an error before anything runs.
matrix_load() {
	local file=$1 only=${2:-} line lineno=0 defaults="" kv
	local -a f
	W_NAME=() W_JOB=() W_VARS=() MATRIX_REPS=""
	while read -r line; do
		lineno=$((lineno + 1))
		line=${line%%#*}
		read -ra f <<<"$line"
		[ ${#f[@]} = 0 ] && continue
		if [ "${f[0]}" = defaults ]; then
			defaults="${f[*]:1}"
			continue
		fi
		if [ "${f[0]}" = reps ]; then
			[[ ${f[1]:-} =~ ^[1-9][0-9]*$ ]] || die "$file:$lineno: expected 'reps N'" 2
			MATRIX_REPS=${f[1]}
			continue
		fi
		[ ${#f[@]} -ge 2 ] || die "$file:$lineno: expected 'NAME JOB [VAR=VALUE...]'" 2
		[[ ${f[0]} =~ ^[a-z0-9][a-z0-9.-]*$ ]] || die "$file:$lineno: bad workload name '${f[0]}' (a-z, 0-9, '.', '-')" 2
		[ -f "$WBSCOPE_ROOT/bench/jobs/${f[1]}" ] || die "$file:$lineno: no job file bench/jobs/${f[1]}" 2
		for kv in $defaults "${f[@]:2}"; do
			[[ $kv =~ ^[A-Z_]+=[^[:space:]]*$ ]] || die "$file:$lineno: '$kv' is not VAR=VALUE" 2
			case ${kv%%=*} in
			TARGET) [[ ${kv#*=} =~ ^(cache|writeback|fsync|none)$ ]] || die "$file:$lineno: TARGET must be cache, writeback, fsync or none" 2 ;;
			PREP) [ "${kv#*=}" = sparse ] || die "$file:$lineno: PREP must be 'sparse'" 2 ;;
			DEVICES) [[ ${kv#*=} =~ ^(disk|ram)(,(disk|ram))*$ ]] || die "$file:$lineno: DEVICES must list disk and/or ram" 2 ;;
			esac
		done
		[ -n "$only" ] && ! [[ ${f[0]} =~ $only ]] && continue
		W_NAME+=("${f[0]}") W_JOB+=("${f[1]}") W_VARS+=("$defaults ${f[*]:2}")
	done <"$file"
}

# matrix_index NAME: the index of workload NAME in W_NAME, or nothing.
matrix_index() {
	local i
	for i in "${!W_NAME[@]}"; do
		[ "${W_NAME[$i]}" = "$1" ] && { echo "$i"; return 0; }
	done
	return 1
}

dirty_keys=(dirty_background_ratio dirty_background_bytes dirty_ratio dirty_bytes
	dirty_writeback_centisecs dirty_expire_centisecs)
declare -A dirty_saved=()

# dirty_save: remember vm.dirty_* as they are now, for dirty_restore.
dirty_save() {
	local k
	for k in "${dirty_keys[@]}"; do dirty_saved[$k]=$(cat /proc/sys/vm/$k); done
}

dirty_restore() {
	local k
	# ratios before bytes: writing one of a pair zeroes the other
	for k in dirty_background_ratio dirty_ratio dirty_writeback_centisecs dirty_expire_centisecs; do
		[ "${dirty_saved[$k]}" = 0 ] || echo "${dirty_saved[$k]}" >/proc/sys/vm/$k
	done
	for k in dirty_background_bytes dirty_bytes; do
		[ "${dirty_saved[$k]}" = 0 ] || echo "${dirty_saved[$k]}" >/proc/sys/vm/$k
	done
}

# dirty_json: the current vm.dirty_* settings as one JSON object.
dirty_json() {
	local k
	for k in "${dirty_keys[@]}"; do printf '{"%s":%s}\n' "$k" "$(cat /proc/sys/vm/$k)"; done | jq -s -c add
}

# set_target TARGET: vm.dirty_* and fio's sync options for the target.
set_target() {
	dirty_restore
	FSYNC=0 END_FSYNC=0
	case $1 in
	cache)	# the flusher never runs and no dirty limit is reached
		echo 0 >/proc/sys/vm/dirty_writeback_centisecs
		echo 360000 >/proc/sys/vm/dirty_expire_centisecs
		echo 100 >/proc/sys/vm/dirty_background_ratio
		echo 100 >/proc/sys/vm/dirty_ratio ;;
	writeback)	# background write-back starts early; the end fsync is timed
		echo $((16 << 20)) >/proc/sys/vm/dirty_background_bytes
		echo $((64 << 20)) >/proc/sys/vm/dirty_bytes
		END_FSYNC=1 ;;
	fsync) FSYNC=1 ;;
	esac
}

# workload_env I: workload I's variables exported (nothing left from another one), its
# target applied (dirty_save first). DIR is the caller's. It unsets every workload
# variable name below: callers keep their own state under other names.
workload_env() {
	local kv
	unset SIZE RUNTIME BS JOBS FDATASYNC FSYNC_EVERY TARGET PREP DEVICES
	for kv in ${W_VARS[$1]}; do export "${kv?}"; done
	set_target "${TARGET:-none}"
	export FSYNC END_FSYNC
}
