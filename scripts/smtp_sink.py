"""A real SMTP server for the tests (aiosmtpd), writing each message it accepts as a file.

Usage: smtp_sink.py PORT DIR

Each accepted message becomes DIR/<n>.eml (the raw message as received, with the envelope's
sender and recipients in X-Envelope-From / X-Envelope-To headers on top), written under a
temporary name and renamed, so a test never reads half a file. Two kinds of recipient make it
answer as real servers do when things go wrong:
  refuse-…@…   550 5.1.1 at RCPT TO (a permanent refusal, in the server's own words)
  busy-…@…     451 4.3.0 at RCPT TO the first time that address is seen, then accepted
"""

import asyncio
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
        name = os.path.join(self.folder, "%06d.eml" % self.count)
        head = "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (
            envelope.mail_from,
            ", ".join(envelope.rcpt_tos),
        )
        data = envelope.original_content or envelope.content
        with open(name + ".part", "wb") as out:
            out.write(head.encode("ascii"))
            out.write(data)
        os.rename(name + ".part", name)
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
