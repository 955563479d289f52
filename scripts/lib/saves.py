"""A fixed number of answer saves, for scripts/profile-saves.sh: TOTAL saves of the first page
(POST /intake/page/0, expecting 303) spread over the sessions scripts/lib/patients.py wrote,
CLIENTS at a time, each client on one kept-alive connection.

    saves.py PORT SESSIONS_JSON TOTAL CLIENTS

Prints how many saves did not answer 303.
"""

import concurrent.futures
import http.client
import json
import sys
import urllib.parse

ANSWERS = {"a.reason": "Cough for two weeks", "a.pain_level": "3", "a.symptom_start": "2026-11-01"}


def client(port, sessions, count):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    failed = 0
    for i in range(count):
        cookie, csrf = sessions[i % len(sessions)]
        body = urllib.parse.urlencode({"csrf": csrf, **ANSWERS})
        conn.request("POST", "/intake/page/0", body, {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        if response.status != 303:
            failed += 1
    conn.close()
    return failed


def main():
    port, sessions = int(sys.argv[1]), json.load(open(sys.argv[2]))
    total, clients = int(sys.argv[3]), int(sys.argv[4])
    # Each client its own sessions, so no two clients save one draft at once.
    shares = [sessions[i::clients] for i in range(clients)]
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        failed = sum(pool.map(lambda i: client(port, shares[i], total // clients), range(clients)))
    print(failed)


main()
