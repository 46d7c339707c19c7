import type * as grpc from "@grpc/grpc-js";
import type { Sql } from "postgres";
import type { EnrollRequest, EnrollResponse } from "../../shared/gen/tracker/v1/agent";
import { toServiceError, TrackerError } from "../../shared/errors";
import type { Logger } from "../../shared/log";
import { peerAddress } from "../agent-service/session";
import { enrollAgent } from "./enroll";

export interface EnrollDeps {
  sql: Sql;
  log: Logger;
  releasePublicKeyPem: string;
  /** The CA the agent trusts from now on; empty when the agent service runs without TLS. */
  caPem: string;
}

/** The gRPC handler of AgentService.Enroll. */
export function enrollHandler(deps: EnrollDeps): grpc.handleUnaryCall<EnrollRequest, EnrollResponse> {
  return (call, callback) => {
    const address = peerAddress(call.getPeer());
    enrollAgent(deps.sql, call.request, address).then(
      ({ agentId, secret }) => {
        deps.log.info({ agentId, address, version: call.request.version }, "agent enrolled");
        callback(null, {
          agentId,
          secret,
          releasePublicKey: deps.releasePublicKeyPem,
          caCertificate: deps.caPem,
        });
      },
      (err: unknown) => {
        if (err instanceof TrackerError) {
          deps.log.warn({ address, code: err.code }, "enrollment refused");
        } else {
          deps.log.error({ err, address }, "enrollment failed");
        }
        callback(toServiceError(err) as grpc.ServiceError);
      },
    );
  };
}
