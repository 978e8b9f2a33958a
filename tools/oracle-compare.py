#!/usr/bin/env python3
"""Compares caplab's linearizability verdicts with the independent Porcupine oracle, run by run.

  python3 tools/oracle-compare.py CAPLAB PORCUPINE_CHECK ORACLE_DIR LAST_SEED [FIRST_SEED]

CAPLAB: the caplab binary; PORCUPINE_CHECK: the oracle built from ../shared/oracle (see its
README); ORACLE_DIR: that folder (for caplab2porc.py). Every built-in scenario but crowd runs
seeds FIRST..=LAST in CP, AP (LWW and CRDT), quorum and CA; crowd runs seeds 1..=7 in CP and AP.
A development tool: no test depends on it. Prints each disagreement and the totals.
"""
import json
import subprocess
import sys
import tempfile

caplab, porcupine, oracle = sys.argv[1], sys.argv[2], sys.argv[3]
last = int(sys.argv[4])
first = int(sys.argv[5]) if len(sys.argv) > 5 else 1
modes = [("cp", "lww"), ("ap", "lww"), ("ap", "crdt"), ("quorum", "lww"), ("ca", "lww")]
runs = [(s, m, c, seed) for s in ["bank", "register", "feed", "two-regions"] for (m, c) in modes
        for seed in range(first, last + 1)]
runs += [("crowd", m, c, seed) for (m, c) in [("cp", "lww"), ("ap", "crdt")] for seed in range(1, 8)]
agree = disagree = skipped = 0
with tempfile.NamedTemporaryFile(suffix=".json") as h:
    for (s, m, c, seed) in runs:
        r = subprocess.run([caplab, "run", "--scenario", s, "--mode", m, "--conflict", c, "--seed",
                            str(seed), "--json", "--export-history", h.name],
                           capture_output=True, text=True)
        if r.returncode != 0:
            skipped += 1
            continue
        ours = json.loads(r.stdout)["checks"]["linearizable"]
        p = subprocess.run(["python3", f"{oracle}/caplab2porc.py", h.name], capture_output=True, text=True)
        q = subprocess.run(["timeout", "20", porcupine], input=p.stdout, capture_output=True, text=True)
        if q.returncode != 0 or not q.stdout.strip():
            skipped += 1  # the oracle timed out (it has no budget) or failed
            continue
        theirs = json.loads(q.stdout)["linearizable"]
        if theirs is None or ours is None:
            skipped += 1
        elif theirs == ours:
            agree += 1
        else:
            disagree += 1
            print("DISAGREE", s, m, c, seed, "caplab", ours, "porcupine", theirs)
print(f"{agree} agree, {disagree} disagree, {skipped} skipped")
