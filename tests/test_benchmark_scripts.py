"""The report's and the retention's benchmarks (`make bench`, P5 and P6) still run: small, here,
so that they cannot rot."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_report_benchmark_seeds_renders_and_counts_what_it_seeded():
    env = {**os.environ, "BENCH_REPORT_RECORDS": "3000", "BENCH_REPEATS": "1"}
    output = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "p5_report.py")], env=env,
                            check=True, capture_output=True, text=True, timeout=300).stdout
    result = json.loads(output.strip().splitlines()[-1])
    assert (result["records"], result["days"], result["forms"]) == (3000, 90, 20)
    assert result["page_s"] > 0 and result["bare_query_s"] > 0


def test_the_retention_benchmark_seeds_and_redacts_every_record():
    env = {**os.environ, "BENCH_RETENTION_RECORDS": "2000"}
    output = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "p6_retention.py")],
                            env=env, check=True, capture_output=True, text=True,
                            timeout=300).stdout
    result = json.loads(output.strip().splitlines()[-1])
    assert result["records"] == 2000 and result["retention_s"] > 0 and result["bare_update_s"] > 0
