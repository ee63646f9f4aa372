// The transport: one `fetch` per attempt, a deadline per attempt, the API
// key, the caller's request id and `traceparent`, and retries for
// idempotent calls only. A POST (a start, an `authorize`) is never sent
// twice by this client: an `authorize` is audited, and a start that timed
// out may have started (docs/http.md, "Limits and deadlines"). A GET is
// retried after a network failure or a 502/503/504.

import {
  StandinApiError,
  StandinProtocolError,
  StandinUnreachableError,
  StandinUploadRefusedError,
} from "./errors.js";

/** Per-call options. */
export interface CallOptions {
  /** Sent as `X-Request-ID` (1-128 visible ASCII characters), so the server logs the call under your id. */
  requestId?: string;
  /** A W3C trace context header, passed through as is. */
  traceparent?: string;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string;
  /** Per attempt; default 5000 ms. */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls; default 2. */
  retries?: number;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Default: exponential from 50 ms. */
  retryDelayMs?: (attempt: number) => number;
}

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  requestId: string | undefined;
  headers: Headers;
}

/**
 * One call's request. `key` replaces the client's API key; `anonymous`
 * sends `key` alone, never the API key (forward-auth's impersonation
 * token); `headers` are sent as they are (forward-auth's X-Original-*).
 * `form` is sent as `application/x-www-form-urlencoded` instead of a JSON
 * `body` (the token exchange, RFC 6749); an undefined value is left out.
 */
export interface CallInit {
  body?: unknown;
  form?: Record<string, string | number | undefined>;
  query?: Record<string, string | number | boolean | undefined>;
  expect: number[];
  raw?: boolean;
  key?: string;
  anonymous?: boolean;
  headers?: Record<string, string>;
}

/** forward-auth's Envoy form sends the original request's method, whatever it is. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

const RETRY_STATUSES = new Set([502, 503, 504]);

export class Transport {
  private readonly base: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly fetchImpl: typeof fetch;
  private readonly delay: (attempt: number) => number;

  constructor(options: TransportOptions) {
    this.base = options.baseUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.delay = options.retryDelayMs ?? ((attempt) => 50 * 4 ** attempt);
  }

  /**
   * Sends one call. `expect` lists the statuses that carry an answer; any
   * other status is an error (the API's error form when it has one).
   * `raw` keeps the text (NDJSON, CSV, Prometheus) instead of parsing JSON.
   */
  async call(
    method: Method,
    path: string,
    init: CallInit,
    options: CallOptions = {},
  ): Promise<Answer> {
    const idempotent = method === "GET";
    const attempts = idempotent ? this.retries + 1 : 1;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await sleep(this.delay(attempt - 1), options.signal);
      const more = attempt + 1 < attempts;
      let answer: Answer;
      try {
        answer = await this.once(method, path, init, options);
      } catch (error) {
        if (error instanceof StandinUnreachableError && more && !options.signal?.aborted) continue;
        throw error;
      }
      if (RETRY_STATUSES.has(answer.status) && more) continue;
      return finish(answer, init);
    }
  }

  private async once(
    method: Method,
    path: string,
    init: Omit<CallInit, "expect">,
    options: CallOptions,
  ): Promise<Answer> {
    const url = new URL(this.base + path);
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { Accept: init.raw ? "*/*" : "application/json" };
    const key = init.anonymous ? init.key : (init.key ?? this.apiKey);
    if (key !== undefined) headers.Authorization = `Bearer ${key}`;
    if (options.requestId !== undefined) headers["X-Request-ID"] = options.requestId;
    if (options.traceparent !== undefined) headers.traceparent = options.traceparent;
    let sent: string | undefined;
    if (init.form !== undefined) {
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries(init.form)) {
        if (value !== undefined) form.set(name, String(value));
      }
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      sent = form.toString();
    } else if (init.body !== undefined) {
      headers["Content-Type"] = "application/json";
      sent = JSON.stringify(init.body);
    }
    Object.assign(headers, init.headers);
    const timeout = options.timeoutMs ?? this.timeoutMs;
    const signals = [AbortSignal.timeout(timeout)];
    if (options.signal) signals.push(options.signal);
    const signal = anySignal(signals);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: sent,
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const timedOut = signal.aborted;
      throw new StandinUnreachableError(
        timedOut ? "timeout" : "network",
        timedOut ? `no answer from ${this.base} within ${timeout} ms` : `cannot reach ${this.base}: ${String(error)}`,
        { cause: error },
      );
    }
    const requestId = response.headers.get("x-request-id") ?? undefined;
    let body: unknown = undefined;
    const type = response.headers.get("content-type") ?? "";
    if (!init.raw || !response.ok) {
      if ((type.startsWith("application/json") || type.startsWith("application/problem+json")) && text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new StandinProtocolError(response.status, "the answer is not valid JSON", requestId);
        }
      }
    }
    return { status: response.status, body, text, requestId, headers: response.headers };
  }
}

function finish(answer: Answer, init: { expect: number[]; raw?: boolean }): Answer {
  if (init.expect.includes(answer.status)) {
    if (!init.raw && !isObject(answer.body)) {
      throw new StandinProtocolError(answer.status, "the answer is not a JSON object", answer.requestId);
    }
    return answer;
  }
  const error = isObject(answer.body) ? answer.body.error : undefined;
  if (isObject(error) && typeof error.code === "string" && typeof error.message === "string") {
    if (answer.status === 422 && error.code === "upload-refused" && typeof error.step === "string") {
      throw new StandinUploadRefusedError(error.step, error.message, answer.requestId);
    }
    throw new StandinApiError(answer.status, error.code, error.message, answer.requestId);
  }
  if (isObject(answer.body) && typeof answer.body.type === "string") {
    // RFC 9457, as the AuthZEN Access Request profile answers: the code is
    // the type's last part (`urn:...:error:invalid_denial_binding`).
    const { type, detail, title } = answer.body;
    const message = typeof detail === "string" ? detail : typeof title === "string" ? title : type;
    throw new StandinApiError(answer.status, type.split(":").pop() ?? type, message, answer.requestId);
  }
  throw new StandinProtocolError(answer.status, `unexpected answer (${answer.text.slice(0, 80)})`, answer.requestId);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// AbortSignal.any is Node 20.3+; this works on Node 18 too.
function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
