# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the Python package `sipsim` against the C library and the `sipsim` command line.

Run by meson (`meson test -C build python`) with PYTHONPATH at the build tree's copy of the
package; SIPSIM_SOURCE_ROOT, SIPSIM_EXE and SIPSIM_VERSION come from tests/python/meson.build.
"""
import csv
import io
import json
import math
import os
import subprocess
import tempfile
import unittest

import sipsim

ROOT = os.environ["SIPSIM_SOURCE_ROOT"]
EXE = os.environ["SIPSIM_EXE"]
DEFAULT = os.path.join(ROOT, "topologies", "default.cfg")

SPEC = """
name = "py_clock";
base = "%s";
engines = ["check", "ucie", "tpp", "traffic", "cost"];
sampling = { method = "grid"; };
axes = (
  { name = "clock_ghz"; path = "types.compute_infer.engines.mxu.clock_ghz"; values = [0.9, 1.0, 1.125]; },
  { name = "rate_gtps"; path = "links.*.rate_gtps"; values = [16.0, 32.0]; }
);
constraints = ["check == ok"];
objectives = ["max tpp", "min cost_usd"];
""" % DEFAULT


def run_cli(*args):
    return subprocess.run([EXE, *args], capture_output=True, text=True)


class Version(unittest.TestCase):
    def test_version_is_the_projects(self):
        self.assertEqual(sipsim.version(), os.environ["SIPSIM_VERSION"])


class Evaluate(unittest.TestCase):
    def test_default_package_has_a_junction_temperature_above_ambient(self):
        result = sipsim.evaluate(DEFAULT)
        t_max = result["thermal"]["t_max_c"]
        self.assertIsInstance(t_max, float)
        # topologies/default.cfg: ambient 35 C, Tj limit 95 C; a powered package is warmer than air.
        self.assertGreater(t_max, 35.0)
        self.assertTrue(math.isfinite(t_max))

    def test_same_numbers_as_the_command_lines_report_json(self):
        cli = run_cli("report", "--json", DEFAULT)
        self.assertIn(cli.returncode, (0, 1), cli.stderr)
        from_cli = json.loads(cli.stdout)
        result = sipsim.evaluate(DEFAULT)
        self.assertEqual(result["thermal"]["t_max_c"], from_cli["thermal"]["t_max_c"])
        self.assertEqual(result["tpp"], from_cli["tpp"])

    def test_libconfig_text_is_evaluated_like_the_file(self):
        with open(DEFAULT) as f:
            text = f.read()
        # Text has no folder to find chiplets/ beside: name the library as -L would.
        from_text = sipsim.evaluate(text, library=os.path.join(ROOT, "chiplets"))
        self.assertEqual(from_text["thermal"]["t_max_c"], sipsim.evaluate(DEFAULT)["thermal"]["t_max_c"])
        # An unknown type in text is named with the line of the text that uses it.
        lines = text.splitlines()
        n = next(i for i, l in enumerate(lines) if 'type = "' in l)
        lines[n] = lines[n].replace('type = "', 'type = "no_such_chiplet_', 1)
        with self.assertRaises(sipsim.Error) as ctx:
            sipsim.evaluate("\n".join(lines), library=os.path.join(ROOT, "chiplets"))
        self.assertIn("no_such_chiplet_", str(ctx.exception))
        self.assertEqual(ctx.exception.line, n + 1)

    def test_options_change_the_evaluation(self):
        coarse = sipsim.evaluate(DEFAULT, thermal_grid=16)["thermal"]["t_max_c"]
        fine = sipsim.evaluate(DEFAULT, thermal_grid=48)["thermal"]["t_max_c"]
        self.assertNotEqual(coarse, fine)
        with self.assertRaises(sipsim.Error) as ctx:
            sipsim.evaluate(DEFAULT, thermal_gird=16)
        self.assertIn("thermal_gird", str(ctx.exception))

    def test_bad_input_raises_with_path_and_line(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "typo.cfg")
            with open(DEFAULT) as f:
                lines = f.read().splitlines()
            # A misspelt top-level key on line 1: the loader names the file and the line.
            with open(path, "w") as f:
                f.write("descriptoin = \"typo\";\n" + "\n".join(lines) + "\n")
            with self.assertRaises(sipsim.Error) as ctx:
                sipsim.evaluate(path)
            self.assertEqual(ctx.exception.path, path)
            self.assertEqual(ctx.exception.line, 1)
            self.assertIn("descriptoin", str(ctx.exception))
            self.assertTrue(str(ctx.exception).startswith(path + ":1:"))

    def test_missing_file_raises(self):
        with self.assertRaises(sipsim.Error) as ctx:
            sipsim.evaluate("/nonexistent/pkg.cfg")
        self.assertIn("/nonexistent/pkg.cfg", str(ctx.exception))

    def test_not_a_string_is_a_type_error(self):
        with self.assertRaises(TypeError):
            sipsim.evaluate(42)


class Sweep(unittest.TestCase):
    def test_rows_match_the_command_lines_csv(self):
        frame = sipsim.sweep(SPEC, threads=2)
        self.assertEqual(len(frame), 6)  # 3 clocks x 2 rates
        self.assertEqual(list(frame["id"]), list(range(6)))
        with tempfile.TemporaryDirectory() as d:
            spec = os.path.join(d, "spec.cfg")
            with open(spec, "w") as f:
                f.write(SPEC)
            cli = run_cli("sweep", spec, "-o", os.path.join(d, "out"))
            self.assertEqual(cli.returncode, 0, cli.stderr)
            with open(os.path.join(d, "out.csv")) as f:
                rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), len(frame))
        for row, (_, got) in zip(rows, frame.iterrows()):
            self.assertAlmostEqual(float(row["tpp"]), got["tpp"], places=6)
            self.assertAlmostEqual(float(row["cost_usd"]), got["cost_usd"], places=6)
            self.assertAlmostEqual(float(row["clock_ghz"]), got["clock_ghz"], places=9)

    def test_tpp_grows_with_clock_and_the_front_is_marked(self):
        frame = sipsim.sweep(SPEC)
        at16 = frame[frame["rate_gtps"] == 16.0].sort_values("clock_ghz")
        self.assertTrue(at16["tpp"].is_monotonic_increasing)
        self.assertGreater(at16["tpp"].iloc[-1], at16["tpp"].iloc[0])
        self.assertGreaterEqual(int(frame["pareto"].sum()), 1)
        # The highest-TPP feasible variant is on the front of (max tpp, min cost).
        best = frame[frame["feasible"]].sort_values(["tpp", "cost_usd"], ascending=[False, True]).iloc[0]
        self.assertTrue(best["pareto"])

    def test_limit_stops_early(self):
        self.assertEqual(len(sipsim.sweep(SPEC, limit=2)), 2)

    def test_pareto_column_is_the_front_of_the_rows_returned(self):
        def front(frame):
            ok = frame[frame["feasible"]]
            def dominates(a, b):
                return (a.tpp >= b.tpp and a.cost_usd <= b.cost_usd and
                        (a.tpp > b.tpp or a.cost_usd < b.cost_usd))
            return sorted(int(r.id) for _, r in ok.iterrows()
                          if not any(dominates(o, r) for _, o in ok.iterrows()))
        for limit in (None, 4):
            frame = sipsim.sweep(SPEC, limit=limit)
            self.assertEqual(sorted(int(i) for i in frame[frame["pareto"]]["id"]), front(frame))

    def test_bad_spec_raises_with_line(self):
        bad = SPEC.replace('method = "grid"', 'method = "gird"')
        with self.assertRaises(sipsim.Error) as ctx:
            sipsim.sweep(bad)
        self.assertGreater(ctx.exception.line, 0)
        self.assertIn("gird", str(ctx.exception))

    def test_bad_option_raises(self):
        with self.assertRaises(sipsim.Error):
            sipsim.sweep(SPEC, shard="3/2")


if __name__ == "__main__":
    unittest.main()
