#!/usr/bin/env python3
"""Unit tests of bench/lib/stats.py: paired costs, bootstrap intervals, verdicts, bad input."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
STATS = os.path.join(HERE, "..", "..", "bench", "lib", "stats.py")
sys.path.insert(0, os.path.dirname(STATS))
import stats  # noqa: E402


def runs(rows):
    return [{"job": j, "variant": v, "round": r, "bw_kib": bw} for j, v, r, bw in rows]


class Overhead(unittest.TestCase):
    def test_paired_cost(self):
        # The tracer costs exactly 10% in every round, whatever the round's speed.
        rows = []
        for r, base in enumerate([100.0, 200.0, 150.0, 120.0, 180.0], 1):
            rows += [("j", "none", r, base), ("j", "t", r, base * 0.9)]
        res = stats.overhead(runs(rows), "none", 2.0)
        e = res["jobs"]["j"]["t"]
        self.assertAlmostEqual(e["cost_pct"]["median"], 10.0)
        lo, hi = e["cost_pct"]["ci95"]
        self.assertAlmostEqual(lo, 10.0)
        self.assertAlmostEqual(hi, 10.0)
        self.assertEqual(e["verdict"], "over 2%")

    def test_under_and_inconclusive(self):
        rows = []
        for r in range(1, 7):
            rows += [("j", "none", r, 100.0), ("j", "cheap", r, 99.5 + 0.1 * r),
                     ("j", "noisy", r, 100.0 + (20 if r % 2 else -20))]
        res = stats.overhead(runs(rows), "none", 2.0)
        self.assertEqual(res["jobs"]["j"]["cheap"]["verdict"], "under 2%")
        self.assertEqual(res["jobs"]["j"]["noisy"]["verdict"], "inconclusive")

    def test_bootstrap_is_reproducible(self):
        vals = [1.0, 5.0, 2.0, 8.0, 3.0, 4.0]
        self.assertEqual(stats.median_ci(vals), stats.median_ci(vals))

    def test_unpaired_rounds_are_ignored(self):
        rows = [("j", "none", 1, 100.0), ("j", "t", 1, 90.0), ("j", "t", 2, 10.0)]
        e = stats.overhead(runs(rows), "none", 2.0)["jobs"]["j"]["t"]
        self.assertEqual(e["paired_rounds"], 1)
        self.assertEqual(e["verdict"], "too few rounds")

    def test_run_time_columns(self):
        rows = runs([("j", "none", 1, 100.0), ("j", "t", 1, 90.0)])
        rows[1].update({"bytes": 1048576 * 10, "traced_s": 2.0, "bpf_ns": 20_000_000})
        e = stats.overhead(rows, "none", 2.0)["jobs"]["j"]["t"]
        self.assertAlmostEqual(e["bpf_cpu_pct"]["median"], 1.0)
        self.assertAlmostEqual(e["bpf_ns_per_mib"]["median"], 2_000_000)

    def test_per_program_breakdown(self):
        rows = runs([("j", "none", 1, 100.0), ("j", "t", 1, 90.0), ("j", "none", 2, 100.0),
                     ("j", "t", 2, 95.0)])
        for r, ns in ((rows[1], 4000), (rows[3], 8000)):
            r.update({"bytes": 1048576 * 4, "traced_s": 1.0, "bpf_ns": ns * 2,
                      "progs": [{"name": "hot", "runs": 8, "ns": ns},
                                {"name": "cold", "runs": 1, "ns": 100}]})
        e = stats.overhead(rows, "none", 2.0)["jobs"]["j"]["t"]
        self.assertEqual(list(e["programs"]), ["hot", "cold"])  # most expensive first
        hot = e["programs"]["hot"]
        self.assertAlmostEqual(hot["runs_per_mib"], 2.0)
        self.assertAlmostEqual(hot["ns_per_run"], 750.0)  # median of 500 and 1000
        self.assertAlmostEqual(hot["us_per_mib"], 1.5)
        self.assertIn("| t | hot | 2.0 | 750 | 1.5 |", stats.markdown(
            stats.overhead(rows, "none", 2.0)))


class BadInput(unittest.TestCase):
    def run_cli(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write(text)
        try:
            return subprocess.run([sys.executable, STATS, "overhead", f.name],
                                  capture_output=True, text=True)
        finally:
            os.unlink(f.name)

    def test_not_json(self):
        p = self.run_cli("{oops\n")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(":1: not JSON", p.stderr)

    def test_missing_field(self):
        p = self.run_cli(json.dumps({"job": "j", "variant": "none", "round": 1}) + "\n")
        self.assertIn("missing field 'bw_kib'", p.stderr)

    def test_no_baseline(self):
        p = self.run_cli(json.dumps({"job": "j", "variant": "t", "round": 1, "bw_kib": 5}) + "\n")
        self.assertIn("no 'none' runs", p.stderr)

    def test_nonpositive_bandwidth(self):
        p = self.run_cli(json.dumps({"job": "j", "variant": "none", "round": 1, "bw_kib": 0}) + "\n")
        self.assertIn("bw_kib must be a positive number", p.stderr)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=0).result
    n = result.testsRun
    bad = len(result.failures) + len(result.errors)
    print(f"stats: {n - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)
