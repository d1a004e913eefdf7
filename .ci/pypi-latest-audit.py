"""The dependency audit where pip-audit's services cannot be reached (.ci/scan runs it then).

pip-audit asks PyPI for the vulnerabilities of each pinned release (/pypi/<name>/<version>/json)
or asks OSV; some networks (this project's offline machines) reach PyPI's project pages only
(/pypi/<name>/json). A project page lists the vulnerabilities of the project's *latest* release
(PyPI JSON API, "vulnerabilities": for the release the page describes). So this audits exactly
the pins that are the latest release, and names every other pin as not audited here, with the
latest version: it never reports a pin as clean that it could not check.

Usage: python pypi-latest-audit.py IGNORE_FILE LOCK... ; exit 1 on a known vulnerability that
the ignore file does not list, 0 otherwise (pins it could not audit are printed, not failed).
"""

import json
import os
import re
import sys
import urllib.request

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, str]:
    found = {}
    with open(lock, encoding="utf-8") as handle:
        for line in handle:
            match = PIN.match(line)
            if match:
                found[match.group(1).lower()] = match.group(2)
    return found


def ignored(path: str) -> set[str]:
    ids = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            word = line.split("#", 1)[0].strip()
            if word:
                ids.add(word.split()[0])
    return ids


def project(name: str) -> dict:
    # PYPI_JSON_DIR: read <dir>/<name>.json instead (the tests' fixtures).
    if os.environ.get("PYPI_JSON_DIR"):
        with open(os.path.join(os.environ["PYPI_JSON_DIR"], f"{name}.json"), encoding="utf-8") as f:
            return json.load(f)
    url = f"https://pypi.org/pypi/{name}/json"
    with urllib.request.urlopen(url, timeout=30) as response:  # nosec B310: a fixed https URL
        return json.load(response)


def main() -> int:
    ignore = ignored(sys.argv[1])
    vulnerable, behind, checked = [], [], 0
    for lock in sys.argv[2:]:
        for name, version in sorted(pins(lock).items()):
            data = project(name)
            latest = data["info"]["version"]
            if version != latest:
                behind.append(f"{lock}: {name}=={version} (latest {latest})")
                continue
            checked += 1
            for vuln in data.get("vulnerabilities") or []:
                if vuln.get("withdrawn"):
                    continue
                ids = {vuln.get("id"), *(vuln.get("aliases") or [])}
                if ids & ignore:
                    continue
                fixed = ", ".join(vuln.get("fixed_in") or []) or "no fixed release"
                vulnerable.append(f"{lock}: {name}=={version} {vuln.get('id')} (fixed in {fixed})")
    for line in vulnerable:
        print(f"VULNERABLE {line}")
    for line in behind:
        print(f"not audited here (not the latest release): {line}")
    print(
        f"PyPI project data: {checked} pins are their project's latest release"
        f"{', with known vulnerabilities' if vulnerable else ', none with a known vulnerability'}; "
        f"{len(behind)} pins are older and were not audited here"
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
