"""A Standin webhook receiver in Python: verifies each delivery with the
official Standard Webhooks library (`pip install standardwebhooks`),
drops duplicates by `webhook-id` (delivery is at least once), and
answers 2xx only once the event is safely handled.

    STANDIN_WEBHOOK_SECRET=whsec_... python3 receiver.py [PORT]

Prints one JSON line per new event: {"id", "type", "seq", "session"}.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

WEBHOOK = Webhook(os.environ["STANDIN_WEBHOOK_SECRET"])
SEEN = set()  # in production: a unique key in your database


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            # Checks the signature and that the timestamp is recent (replays).
            message = WEBHOOK.verify(body, dict(self.headers))
        except WebhookVerificationError:
            self.send_response(400)
            self.end_headers()
            return
        message_id = self.headers["webhook-id"]
        if message_id not in SEEN:
            SEEN.add(message_id)
            event = message["data"]
            print(json.dumps({"id": message_id, "type": message["type"],
                              "seq": event.get("seq"), "session": message.get("session")}), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8090
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
