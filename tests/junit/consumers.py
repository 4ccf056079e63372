"""Reads scimspec's JUnit files as CI does, with two independent consumers from PyPI:
junitparser merges them (the runs of several targets into one file) and reads counts, verdicts and
failure texts from standard elements only; junit2html renders the merged file as HTML.

Usage: consumers.py MERGED.xml OUT.html FILE... Prints a JSON summary on stdout.
Exit 3 when a consumer is not installed (tests/run installs both from tests/requirements.txt).
"""
import json
import sys

try:
    from junitparser import Error, Failure, JUnitXml, Skipped
    from junit2htmlreport import parser as junit2html
except ImportError as e:
    print(f"a JUnit consumer is not installed: {e}", file=sys.stderr)
    sys.exit(3)

merged_path, html_path, files = sys.argv[1], sys.argv[2], sys.argv[3:]
merged = JUnitXml()
for f in files:
    merged += JUnitXml.fromfile(f)
merged.write(merged_path)

suites, cases = [], []
for suite in JUnitXml.fromfile(merged_path):
    suites.append({
        "name": suite.name,
        "tests": suite.tests,
        "failures": suite.failures,
        "errors": suite.errors,
        "skipped": suite.skipped,
        "hostname": suite.hostname,
        "timestamp": suite.timestamp,
    })
    for case in suite:
        result = {"classname": case.classname, "name": case.name, "result": "passed",
                  "system_out": case.system_out or ""}
        for r in case.result:
            kind = {Failure: "failure", Error: "error", Skipped: "skipped"}.get(type(r), "other")
            result.update(result=kind, type=r.type, message=r.message, text=r.text or "")
        cases.append(result)

report = junit2html.Junit(filename=merged_path)
with open(html_path, "w", encoding="utf-8") as out:
    out.write(report.html())

print(json.dumps({"suites": suites, "cases": cases}))
