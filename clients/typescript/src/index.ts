// @standin/client: Standin's HTTP API from TypeScript and JavaScript
// (Node 18+, browsers, workers: `fetch` only, no runtime dependency).
// Express 5 middleware: "@standin/client/express"; fetch-style (Next.js)
// handlers: "@standin/client/fetch". The <standin-banner>
// element for bundlers: "@standin/client/banner".
export * from "./client.js";
export * from "./errors.js";
export type { CallOptions, TransportOptions } from "./http.js";
export type { components, operations, paths } from "./openapi.js";
