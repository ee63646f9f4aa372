// A Standin webhook receiver in JavaScript (Node 18+): verifies each
// delivery with the official Standard Webhooks library
// (`npm install standardwebhooks`), drops duplicates by `webhook-id`
// (delivery is at least once), and answers 2xx only once the event is
// safely handled.
//
//   STANDIN_WEBHOOK_SECRET=whsec_... node receiver.mjs [PORT]
//
// Prints one JSON line per new event: {"id", "type", "seq", "session"}.
import http from "node:http";
import { Webhook } from "standardwebhooks";

const webhook = new Webhook(process.env.STANDIN_WEBHOOK_SECRET);
const seen = new Set(); // in production: a unique key in your database

http
  .createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let message;
      try {
        // Checks the signature and that the timestamp is recent (replays).
        message = webhook.verify(body, req.headers);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const id = req.headers["webhook-id"];
      if (!seen.has(id)) {
        seen.add(id);
        console.log(JSON.stringify({ id, type: message.type, seq: message.data.seq, session: message.session }));
      }
      res.writeHead(204).end();
    });
  })
  .listen(Number(process.argv[2] ?? 8090), "127.0.0.1");
