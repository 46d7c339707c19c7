import * as grpc from "@grpc/grpc-js";
import {
  AdminServiceClient,
  type Status,
  type AdminServiceServer,
  AddApiKeyRequest,
  AgentRequest,
  ApiKeyRequest,
  CreateEnrollmentTokenRequest,
  GetDailySummaryRequest,
  GetScheduleRequest,
  GetStatusRequest,
  ListAgentsRequest,
  ListApiKeysRequest,
  ListEnrollmentTokensRequest,
  ListFailedBatchesRequest,
  ListRealmsRequest,
  ListReleasesRequest,
  PublishReleaseRequest,
  ListRoundsRequest,
  RetryFailedBatchesRequest,
  RotateAdminTokenRequest,
  RoundRequest,
  Schedule,
  SetRealmRequest,
  StartRoundRequest,
  WatchStatusRequest,
} from "../../shared/gen/tracker/v1/admin";

type Callback<R> = (err: grpc.ServiceError | null, response: R) => void;
type UnaryMethod<Q, R> = (request: Q, metadata: grpc.Metadata, callback: Callback<R>) => unknown;

/** Request and response types of every unary AdminService method, read off the server type. */
type Unary = Omit<
  {
    [K in keyof AdminServiceServer as AdminServiceServer[K] extends grpc.handleUnaryCall<
      infer _Q,
      infer _R
    >
      ? K
      : never]: AdminServiceServer[K];
  },
  "watchStatus"
>;
type RequestOf<M> = M extends grpc.handleUnaryCall<infer Q, infer _R> ? Q : never;
type ResponseOf<M> = M extends grpc.handleUnaryCall<infer _Q, infer R> ? R : never;

/** Each unary method's request type, whose fromPartial fills the fields a caller left out. */
const REQUEST_TYPES: { [K in keyof Unary]: { fromPartial(p: object): RequestOf<Unary[K]> } } = {
  getStatus: GetStatusRequest,
  startRound: StartRoundRequest,
  pauseRound: RoundRequest,
  resumeRound: RoundRequest,
  cancelRound: RoundRequest,
  listRounds: ListRoundsRequest,
  getSchedule: GetScheduleRequest,
  setSchedule: Schedule,
  listFailedBatches: ListFailedBatchesRequest,
  retryFailedBatches: RetryFailedBatchesRequest,
  addApiKey: AddApiKeyRequest,
  listApiKeys: ListApiKeysRequest,
  disableApiKey: ApiKeyRequest,
  enableApiKey: ApiKeyRequest,
  removeApiKey: ApiKeyRequest,
  listRealms: ListRealmsRequest,
  setRealm: SetRealmRequest,
  listAgents: ListAgentsRequest,
  banAgent: AgentRequest,
  unbanAgent: AgentRequest,
  getDailySummary: GetDailySummaryRequest,
  rotateAdminToken: RotateAdminTokenRequest,
  createEnrollmentToken: CreateEnrollmentTokenRequest,
  listEnrollmentTokens: ListEnrollmentTokensRequest,
  revokeAgent: AgentRequest,
  publishRelease: PublishReleaseRequest,
  listReleases: ListReleasesRequest,
};

/** A promise-returning AdminService client that sends the bearer token on every call. */
export class AdminClient {
  readonly raw: AdminServiceClient;
  private readonly metadata = new grpc.Metadata();

  constructor(address: string, token: string) {
    this.raw = new AdminServiceClient(address, grpc.credentials.createInsecure());
    this.metadata.set("authorization", `Bearer ${token}`);
  }

  call<K extends keyof Unary>(
    method: K,
    request: Partial<RequestOf<Unary[K]>> = {},
  ): Promise<ResponseOf<Unary[K]>> {
    const fn = this.raw[method] as unknown as UnaryMethod<unknown, ResponseOf<Unary[K]>>;
    return new Promise((resolve, reject) => {
      fn.call(this.raw, REQUEST_TYPES[method].fromPartial(request), this.metadata, (err, response) => (err ? reject(err) : resolve(response)));
    });
  }

  /** The WatchStatus stream, authorised like every call. */
  watchStatus(request: { intervalSeconds: number }): grpc.ClientReadableStream<Status> {
    return this.raw.watchStatus(request, this.metadata);
  }

  close(): void {
    this.raw.close();
  }
}
