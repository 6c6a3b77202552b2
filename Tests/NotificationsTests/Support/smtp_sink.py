"""A real SMTP server for the notifications tests (aiosmtpd): prints the port it listens on,
then appends every message it accepts to the file given, one JSON object per line."""
import json
import os
import signal
import socket
import sys
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        record = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "subject": str(message["subject"]),
                  "body": message.get_content(), "messageId": message["message-id"]}
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 OK"


def main():
    # Foundation's Process may start us with signals blocked; let SIGTERM end us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    path = sys.argv[1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(path), hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    parent = os.getppid()
    try:
        # Gone with the test process, even if it could not stop us.
        while os.getppid() == parent:
            time.sleep(0.5)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
