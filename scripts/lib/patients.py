"""Brings the patients a demo server printed to the middle of the form, for scripts/load.sh and
scripts/memory.sh: each opens their link, proves their date of birth and saves the first page
(expecting 303 at every step).

    patients.py LINKS_FILE CLIENTS [SESSIONS_FILE]

CLIENTS patients go at once. With SESSIONS_FILE, writes each patient's session cookie and CSRF
token there: as JSON if its name ends in .json (for scripts/lib/saves.py), else as a Lua table
for scripts/load.lua. Prints how many failed (and why, on stderr); a failure never stops the
others.
"""

import concurrent.futures
import http.client
import json
import re
import sys
import urllib.parse

ANSWERS = {"a.reason": "Cough for two weeks", "a.pain_level": "3", "a.symptom_start": "2026-11-01"}


def call(conn, method, path, cookie=None, form=None):
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body, headers)
    response = conn.getresponse()
    return response.status, response.headers, response.read().decode()


def patient(pair):
    """(cookie, csrf) of a patient who saved page 1, or the step that failed."""
    born, link = pair
    url = urllib.parse.urlsplit(link)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        status, headers, _ = call(conn, "GET", url.path)
        if status != 303:
            return f"opening a link answered {status}"
        cookie = headers["Set-Cookie"].split(";")[0]
        status, _, page = call(conn, "GET", "/intake", cookie)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        if status != 200 or not csrf:
            return f"the start page answered {status}"
        csrf = csrf.group(1)
        status, headers, _ = call(conn, "POST", "/intake/verify", cookie, {"csrf": csrf, "birth_date": born})
        if status != 303 or headers["Location"] != "/intake/page/0":
            return f"verifying answered {status}"
        # A session that proved who it is gets a new id (session fixation).
        if headers.get("Set-Cookie"):
            cookie = headers["Set-Cookie"].split(";")[0]
        status, _, _ = call(conn, "POST", "/intake/page/0", cookie, {"csrf": csrf, **ANSWERS})
        if status != 303:
            return f"a save answered {status}"
        return (cookie, csrf)
    except Exception as error:  # a refused or dropped connection counts as a failure
        return f"{type(error).__name__}"
    finally:
        conn.close()


def main():
    links, clients = sys.argv[1], int(sys.argv[2])
    # The demo prints "  Name (born YYYY-MM-DD), Visit" and then the link on the next line.
    text = open(links).read()
    pairs = re.findall(r"\(born (\d{4}-\d{2}-\d{2})\).*\n\s+(http://[^\s]+/i/[^\s]+)", text)
    if not pairs:
        sys.exit("patients: the demo printed no links")
    sessions, failures = [], {}
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for outcome in pool.map(patient, pairs):
            if isinstance(outcome, tuple):
                sessions.append(outcome)
            else:
                failures[outcome] = failures.get(outcome, 0) + 1
    for problem, count in sorted(failures.items()):
        print(f"patients: {count} failed: {problem}", file=sys.stderr)
    print(f"{len(pairs)} patients, {len(sessions)} mid-form, {sum(failures.values())} failed", file=sys.stderr)
    if len(sys.argv) > 3 and sys.argv[3].endswith(".json"):
        json.dump(sessions, open(sys.argv[3], "w"))
    elif len(sys.argv) > 3:
        lines = ["return {"] + [f'  {{"{cookie}", "{csrf}"}},' for cookie, csrf in sessions] + ["}"]
        open(sys.argv[3], "w").write("\n".join(lines) + "\n")
    print(sum(failures.values()))


main()
