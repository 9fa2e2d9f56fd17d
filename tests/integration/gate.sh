#!/usr/bin/env bash
# End-to-end test of the CI gate on this machine: two small host benchmark runs of an
# fsync-per-write workload, the second with a known slowdown injected (fio's writes to
# the device limited by a cgroup to a fraction of what it reaches), then:
#   - gate(slowed against normal) reports the regression and exits 1;
#   - gate(normal against itself) never reports a regression;
#   - the history records both runs, `--baseline history` finds the earlier one,
#     `history show` prints the trend and plots it;
#   - bad input (missing summary, bad config, unknown metric, runs timed differently)
#     exits 2 naming the problem.
#
#   tests/integration/gate.sh
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
suite=gate
echo "integration: wbscope gate and history, end to end on host runs"
t_need_root "$suite integration test" || { t_summary "$suite"; exit $?; }
[ -x "$WBSCOPE_BIN" ] || die "$WBSCOPE_BIN not built (run: make -C bpf)"

work=$(mktemp -d /tmp/wbscope-gate-test.XXXXXX)
t_on_exit "rm -rf $work"
printf 'defaults SIZE=16m RUNTIME=20\nfsync-64k append.fio TARGET=fsync BS=64k DEVICES=disk\n' >"$work/m"
export WBSCOPE_HISTORY=$work/history.sqlite
bench() { "$WBSCOPE_BIN" bench --host --matrix "$work/m" --reps 5 --collectors none --out "$@" >"$work/$(basename "$1").log" 2>&1; }
bench "$work/results/a" || bad "baseline run"
bench "$work/results/b" --throttle 4.5 || bad "throttled run"
check "both runs reported" test -s "$work/results/a/summary.json" -a -s "$work/results/b/summary.json"
check "the throttled run records its throttle" jq -e '.runner.throttle_mib_s == 4.5' "$work/results/b/summary.json"

"$WBSCOPE_BIN" gate --baseline "$work/results/a" --candidate "$work/results/b" --json "$work/g1.json" \
	--md "$work/g1.md" >"$work/g1.out" 2>&1
rc=$?
check "gate(throttled vs normal) exits 1 (got $rc)" test $rc = 1
check "... with a throughput REGRESSION on both paths" \
	jq -e '[.cells[] | select(.metric == "throughput" and .verdict == "REGRESSION")] | length == 2' "$work/g1.json"
check "... the Markdown table marks it" grep -q '\*\*REGRESSION\*\*' "$work/g1.md"
check "... JSON schema and exit status recorded" jq -e '.schema == "wbscope-gate/1" and .exit_status == 1' "$work/g1.json"

"$WBSCOPE_BIN" gate --baseline "$work/results/a" --candidate "$work/results/a" >"$work/g2.out" 2>&1
rc=$?
check "gate(normal vs itself) does not report a regression (exit $rc)" test $rc != 1
check "... and has no REGRESSION cell" bash -c "! grep -q REGRESSION '$work/g2.out'"

# wbscope bench recorded both runs (WBSCOPE_HISTORY names the database).
check "history list shows both runs, recorded by wbscope bench" bash -c "\"$WBSCOPE_BIN\" history list | grep -c '^[ab] ' | grep -qx 2"
"$WBSCOPE_BIN" history add "$work/results/a" 2>"$work/h2.err"
check "adding a run again keeps the recorded one" grep -q "was recorded before (kept)" "$work/h2.err"
"$WBSCOPE_BIN" history --db "$work/other.sqlite" add "$work/results/a" 2>"$work/h3.err"
check "history add records into a new database" grep -q "results/a recorded" "$work/h3.err"
"$WBSCOPE_BIN" gate --baseline history:1 --candidate "$work/results/b" --json "$work/g3.json" >/dev/null 2>&1
rc=$?
check "gate --baseline history:1 (= run a) finds the regression (exit $rc)" test $rc = 1
check "... naming the history as baseline" jq -e '.baseline | startswith("history")' "$work/g3.json"
"$WBSCOPE_BIN" history show -m throughput -w fsync-64k -d disk --plot "$work/trend.svg" >"$work/show.out" 2>&1
check "history show prints one line per run and path" bash -c "[ \$(grep -cE '^[0-9]+ +[ab] ' '$work/show.out') = 4 ]"
check "history show plots the trend" grep -q '<svg' "$work/trend.svg"

# bench/gate-validate --regate on these runs: a validation of 2 baseline runs (a, and a
# copy under another id) and one throttled run (b): every pair is decided and tabulated.
v=$work/validate
mkdir -p "$v/runs"
printf 'pairs=1\nslowdowns=0.50\nreps=5\nicount=\n' >"$v/params"
cp -r "$work/results/a" "$v/runs/a1"
cp -r "$work/results/a" "$v/runs/a2"
jq '.run_id = "a2"' "$work/results/a/summary.json" >"$v/runs/a2/summary.json"
cp -r "$work/results/b" "$v/runs/b0.50-1"
echo 26 >"$v/bench-seconds"
WBSCOPE_BIN=$WBSCOPE_BIN bench/gate-validate --regate "$v" --history 1 >"$work/validate.out" 2>&1
check "gate-validate --regate decides every pair" bash -c "[ \$(wc -l <'$v/decisions.tsv') = 6 ]"
check "... A/A (the same run twice) is no false alarm" \
	bash -c "awk -F'\t' '\$1 == \"A/A\" && \$5 == 1' '$v/decisions.tsv' | grep -q . && exit 1 || exit 0"
check "... the throttled run fails the gate against every baseline" \
	bash -c "[ \$(awk -F'\t' '\$1 == \"A/B\" && \$5 == 1' '$v/decisions.tsv' | wc -l) = 3 ]"
check "... and against history:1" grep -qP '^A/B\t0.50\thistory:1\tb0.50-1\t1\t' "$v/decisions.tsv"
check "... the summary has a row per baseline kind and comparison" \
	bash -c "grep -c '^| \(one run\|history:1\) | A/' '$v/summary.md' | grep -qx 4"

has() { grep -qF -- "$1" <<<"$2"; }	# has TEXT MESSAGE
printf '[gate]\nalpha = 7\n' >"$work/bad.toml"
msg=$("$WBSCOPE_BIN" gate --baseline "$work/results/a" --candidate "$work/results/b" --config "$work/bad.toml" 2>&1)
check "bad config: names file, line and problem" has "bad.toml:2: [gate] alpha = 7: unknown key or value out of range" "$msg"
msg=$("$WBSCOPE_BIN" gate --baseline "$work/nosuch" --candidate "$work/results/b" 2>&1)
check "missing baseline run: named" has "nosuch/summary.json" "$msg"
mkdir -p "$work/icount"
jq '.host.accel = "tcg icount=3"' "$work/results/a/summary.json" >"$work/icount/summary.json"
msg=$("$WBSCOPE_BIN" gate --baseline "$work/results/a" --candidate "$work/icount" 2>&1)
rc=$?
check "runs timed differently are refused (exit $rc)" test $rc = 2
check "... naming both timings" has "under 'none (host)' and the candidate under 'tcg icount=3'" "$msg"
msg=$("$WBSCOPE_BIN" history show -m speed -w x 2>&1)
check "unknown metric: named" has "unknown metric 'speed'" "$msg"

t_summary "$suite"
