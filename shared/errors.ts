import { Metadata, status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";

interface ErrorSpec {
  status: GrpcStatus;
  /** When it happens. */
  when: string;
}

/**
 * Every coded error the tracker sends over gRPC. The code travels in the `tracker-error-code`
 * trailer so clients switch on it, never on message text. The README lists this table.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: { status: GrpcStatus.UNAUTHENTICATED, when: "no or wrong admin token" },
  HELLO_REQUIRED: { status: GrpcStatus.INVALID_ARGUMENT, when: "a session did not start with Hello" },
  AGENT_BANNED: { status: GrpcStatus.PERMISSION_DENIED, when: "the agent was banned by an admin" },
  AGENT_NOT_ENROLLED: { status: GrpcStatus.UNAUTHENTICATED, when: "an agent call without a credential (enroll first)" },
  AGENT_CREDENTIAL_INVALID: {
    status: GrpcStatus.UNAUTHENTICATED,
    when: "an unknown agent id or a wrong secret (enroll again)",
  },
  AGENT_REVOKED: { status: GrpcStatus.PERMISSION_DENIED, when: "the admin revoked the agent's credential (enroll again)" },
  ENROLLMENT_TOKEN_INVALID: {
    status: GrpcStatus.UNAUTHENTICATED,
    when: "an enrollment token that is unknown, already used or expired",
  },
  AGENT_REPLACED: { status: GrpcStatus.ABORTED, when: "the same agent id opened a newer session" },
  LEASE_NOT_OWNED: { status: GrpcStatus.PERMISSION_DENIED, when: "a result for a lease the agent does not hold" },
  RESULT_INVALID: { status: GrpcStatus.INVALID_ARGUMENT, when: "a result with ids outside its batch, duplicates or absurd values" },
  INVALID_ARGUMENT: { status: GrpcStatus.INVALID_ARGUMENT, when: "an admin request with a bad field" },
  NOT_FOUND: { status: GrpcStatus.NOT_FOUND, when: "the round, key, realm or agent does not exist" },
  ROUND_CONFLICT: { status: GrpcStatus.FAILED_PRECONDITION, when: "a round is already running, or none is" },
  ALREADY_EXISTS: { status: GrpcStatus.ALREADY_EXISTS, when: "an admin request adds something already there (an API key)" },
  FAILED_PRECONDITION: {
    status: GrpcStatus.FAILED_PRECONDITION,
    when: "an admin request the tracker's state does not allow now (no realm enabled, batch not failed)",
  },
  MESSAGE_TOO_LARGE: {
    status: GrpcStatus.RESOURCE_EXHAUSTED,
    when: "an agent sent a message over the agent service's size limit",
  },
  AGENT_FLOODING: {
    status: GrpcStatus.RESOURCE_EXHAUSTED,
    when: "an agent sent credit requests (Want) faster than any honest agent would",
  },
  AGENT_NOT_READING: {
    status: GrpcStatus.RESOURCE_EXHAUSTED,
    when: "an agent read nothing the server sent it for agent.writeStallMs",
  },
  DATABASE_UNAVAILABLE: { status: GrpcStatus.UNAVAILABLE, when: "PostgreSQL cannot be reached" },
  SHUTTING_DOWN: { status: GrpcStatus.UNAVAILABLE, when: "the server is stopping" },
  INTERNAL: { status: GrpcStatus.INTERNAL, when: "a bug; the server log has the details" },
} satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_TRAILER = "tracker-error-code";

/** An error with a stable code that maps to a gRPC status. */
export class TrackerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TrackerError";
  }

  /** The gRPC error object a handler passes to its callback or emits on a stream. */
  toServiceError(): Partial<ServiceError> {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_TRAILER, this.code);
    return { code: ERROR_CODES[this.code].status, details: this.message, metadata };
  }
}

/** Any thrown value as a gRPC error; unknown errors become INTERNAL without leaking details. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  if (err instanceof TrackerError) return err.toServiceError();
  return new TrackerError("INTERNAL", "internal error").toServiceError();
}
