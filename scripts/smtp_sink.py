"""A real SMTP server for the tests (aiosmtpd), writing each message it accepts as a file.

Usage: smtp_sink.py PORT DIR

Each accepted message becomes DIR/<n>.eml (the raw message as received) and DIR/<n>.json (the
envelope and the message as Python's email package reads it: headers and the text body decoded,
so tests check what a mail client shows, read by an implementation other than the sender's),
each written under a temporary name and renamed, so a test never reads half a file. Two kinds of recipient make it
answer as real servers do when things go wrong:
  refuse-…@…   550 5.1.1 at RCPT TO (a permanent refusal, in the server's own words)
  busy-…@…     451 4.3.0 at RCPT TO the first time that address is seen, then accepted
"""

import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.seen_busy = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("refuse-"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table" % address
        if local.startswith("busy-") and address not in self.seen_busy:
            self.seen_busy.add(address)
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.folder, "%06d" % self.count)
        data = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        summary = {
            "envelope_from": envelope.mail_from,
            "envelope_to": envelope.rcpt_tos,
            "from": str(parsed["From"]),
            "to": str(parsed["To"]),
            "subject": str(parsed["Subject"]),
            "message_id": str(parsed["Message-ID"]),
            "content_type": parsed.get_content_type(),
            "charset": parsed.get_content_charset(),
            "body": body.get_content() if body is not None else None,
        }
        for suffix, content in ((".eml", data), (".json", json.dumps(summary).encode("utf-8"))):
            with open(name + suffix + ".part", "wb") as out:
                out.write(content)
            os.rename(name + suffix + ".part", name + suffix)
        return "250 2.0.0 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("smtp sink on 127.0.0.1:%d writing to %s" % (port, folder), flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
