"""JUnit XML for CI test reporters: one ``<testsuite>`` per page, one ``<testcase>`` per check.

A failed check at level ``error`` is a ``<failure>``; at level ``warn`` it passes with the
message in ``<system-out>``; an errored page is one ``<testcase>`` with an ``<error>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..fsutil import atomic_write


def to_xml(doc: dict[str, Any]) -> bytes:
    """The audit document as JUnit XML."""
    root = ET.Element("testsuites", name=f"assetpipe audit ({doc['profile']})")
    total = failures = errors = 0
    # (suite name, test class, checks, error) of each page, then of each user flow
    suites = [
        (
            p["path"],
            f"audit{p['path'].replace('/', '.')}".rstrip("."),
            p.get("checks"),
            p.get("error"),
        )
        for p in doc["pages"]
    ]
    suites += [
        (f"flow {f['name']}", f"audit.flow.{f['name']}", f.get("checks"), f.get("error"))
        for f in doc.get("flows") or []
    ]
    for name, classname, checks, error in suites:
        suite = ET.SubElement(root, "testsuite", name=name)
        n_fail = n_err = 0
        for check in checks or []:
            case = ET.SubElement(suite, "testcase", name=check["id"], classname=classname)
            message = check.get("message") or ""
            if check["id"] == "page.load" or (
                check["id"] == "flow.steps" and check["level"] == "error"
            ):
                ET.SubElement(case, "error", message=message).text = error or ""
                n_err += 1
            elif not check["passed"] and check["level"] == "error":
                where = f" ({check['template']}:{check['line']})" if check.get("template") else ""
                ET.SubElement(
                    case, "failure", message=message + where, type=check["id"]
                ).text = f"value {check.get('value')} > limit {check.get('limit')}"
                n_fail += 1
            elif not check["passed"]:
                ET.SubElement(case, "system-out").text = f"warning: {message}"
        suite.set("tests", str(len(checks or [])))
        suite.set("failures", str(n_fail))
        suite.set("errors", str(n_err))
        total += len(checks or [])
        failures += n_fail
        errors += n_err
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def write(doc: dict[str, Any], path: Path) -> None:
    atomic_write(path, to_xml(doc))
