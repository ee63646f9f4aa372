// Typed errors. A deny is never an error (it is a decision, returned);
// an error is never an allow: every failure below is thrown, so code that
// only proceeds on `decision === "allow"` fails closed.

/** Anything this client throws. `requestId` matches the server's log line. */
export class StandinError extends Error {
  readonly requestId: string | undefined;
  constructor(message: string, requestId?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.requestId = requestId;
  }
}

/** The server answered 4xx or 5xx with its error form `{"error": {code, message}}`. */
export class StandinApiError extends StandinError {
  readonly status: number;
  /** The API's stable code: `session-ended`, `not-found`, `unavailable`, ... */
  readonly code: string;
  constructor(status: number, code: string, message: string, requestId?: string) {
    super(`${status} ${code}: ${message}`, requestId);
    this.status = status;
    this.code = code;
  }
  /** 503 `unavailable`, `deadline-exceeded` or `overloaded`: try again later. */
  get retryable(): boolean {
    return this.status === 503 || this.status === 502 || this.status === 504;
  }
}

/** 422 `upload-refused`: a policy upload failed `step`. */
export class StandinUploadRefusedError extends StandinApiError {
  readonly step: string;
  constructor(step: string, message: string, requestId?: string) {
    super(422, "upload-refused", message, requestId);
    this.step = step;
  }
}

/**
 * A 400 of the token exchange in OAuth's form (RFC 6749 §5.2) that is not
 * about the grant: `invalid_request` (a token not accepted, a bad
 * `session_id`), `unsupported_grant_type`, `invalid_target`, `invalid_scope`.
 * `code` and `error` are the OAuth error code; `answer` is the whole body.
 * A deny, a pending start and one turned down are returned by
 * `exchangeToken`, never thrown.
 */
export class StandinTokenExchangeError extends StandinApiError {
  readonly error: string;
  readonly errorDescription: string | undefined;
  readonly answer: Record<string, unknown>;
  constructor(error: string, errorDescription: string | undefined, answer: Record<string, unknown>, requestId?: string) {
    super(400, error, errorDescription ?? error, requestId);
    this.error = error;
    this.errorDescription = errorDescription;
    this.answer = answer;
  }
}

/** No answer: the server could not be reached, or did not answer in time. */
export class StandinUnreachableError extends StandinError {
  /** `timeout` or `network`. */
  readonly kind: "timeout" | "network";
  constructor(kind: "timeout" | "network", message: string, options?: { cause?: unknown }) {
    super(message, undefined, options);
    this.kind = kind;
  }
}

/** An answer that is not what the API promises (not JSON, a missing field, an unknown decision). */
export class StandinProtocolError extends StandinError {
  readonly status: number;
  constructor(status: number, message: string, requestId?: string) {
    super(`${status}: ${message}`, requestId);
    this.status = status;
  }
}
