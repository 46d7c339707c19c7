/** Metadata keys that carry an agent's credential on every AgentService call but Enroll. */
export const AGENT_ID_METADATA = "tracker-agent-id";
export const AGENT_SECRET_METADATA = "tracker-agent-secret";
