#!/usr/bin/env python3
"""Time the annual report's aggregation queries alone, on the same database the service reads.

usage: bare_queries.py sqlite PATH AGENCY YEAR [RUNS]
       bare_queries.py postgres URL AGENCY YEAR [RUNS]   (needs psql)

Runs the same GROUP BY queries the service runs for one agency and year (new received, carried
over, concluded by outcome, carried forward, carried forward of Y-1, appeals decided, appeals
pending) and prints the median wall time of the whole set in milliseconds.
"""
import statistics
import subprocess
import sys
import time

def queries(agency, year):
    start, end, prev_end = f"{year}-01-01", f"{year}-12-31", f"{year - 1}-12-31"
    a = agency
    return [
        f"SELECT applicant_category, COUNT(*) FROM cases WHERE agency_id IN ({a}) AND received_on BETWEEN '{start}' AND '{end}' GROUP BY applicant_category",
        f"SELECT applicant_category, COUNT(*) FROM cases WHERE agency_id IN ({a}) AND concluded_on IS NULL AND received_on < '{start}' GROUP BY applicant_category",
        f"SELECT applicant_category, COUNT(*) FROM cases WHERE agency_id IN ({a}) AND concluded_on >= '{start}' AND received_on < '{start}' GROUP BY applicant_category",
        f"SELECT outcome, applicant_category, COUNT(*) FROM cases WHERE agency_id IN ({a}) AND concluded_on BETWEEN '{start}' AND '{end}' GROUP BY outcome, applicant_category",
        f"SELECT applicant_category, COUNT(*) FROM cases WHERE agency_id IN ({a}) AND concluded_on IS NULL AND received_on <= '{end}' GROUP BY applicant_category",
        f"SELECT applicant_category, COUNT(*) FROM cases WHERE agency_id IN ({a}) AND concluded_on > '{end}' AND received_on <= '{end}' GROUP BY applicant_category",
        f"SELECT applicant_category, COUNT(*) FROM cases WHERE agency_id IN ({a}) AND concluded_on IS NULL AND received_on <= '{prev_end}' GROUP BY applicant_category",
        f"SELECT applicant_category, COUNT(*) FROM cases WHERE agency_id IN ({a}) AND concluded_on > '{prev_end}' AND received_on <= '{prev_end}' GROUP BY applicant_category",
        f"SELECT kind, result, COUNT(*) FROM appeals WHERE agency_id IN ({a}) AND decided_on BETWEEN '{start}' AND '{end}' GROUP BY kind, result",
        f"SELECT kind, COUNT(*) FROM appeals WHERE agency_id IN ({a}) AND filed_on <= '{end}' AND (decided_on IS NULL OR decided_on > '{end}') GROUP BY kind",
    ]

def main():
    backend, target, agency, year = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    qs = queries(agency, year)
    times = []
    if backend == "sqlite":
        import sqlite3
        conn = sqlite3.connect(target)
        for _ in range(runs + 2):
            t = time.perf_counter()
            for q in qs:
                conn.execute(q).fetchall()
            times.append((time.perf_counter() - t) * 1000)
    else:
        script = "\\timing on\n" + "\n".join(q + ";" for q in qs) + "\n"
        for _ in range(runs + 2):
            out = subprocess.run(["psql", target, "-qAt"], input=script, capture_output=True, text=True, check=True).stdout
            times.append(sum(float(l.split()[1]) for l in out.splitlines() if l.startswith("Time:")))
    times = times[2:]
    print(f"{statistics.median(times):.1f}")

if __name__ == "__main__":
    main()
