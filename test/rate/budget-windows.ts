/** Per-second budget decisions of one key, as /sim/stats reports them. */
export interface SecondCount {
  second: number;
  accepted: number;
  rejected: number;
}

/** The seconds strictly between the first and the last with traffic: the partial edges of a
 * round say nothing about how well the budget was used. */
export function innerSeconds(seconds: SecondCount[]): SecondCount[] {
  const busy = seconds.filter((s) => s.accepted + s.rejected > 0);
  if (busy.length < 3) return [];
  const first = busy[0].second;
  const last = busy[busy.length - 1].second;
  return seconds.filter((s) => s.second > first && s.second < last);
}

export function sum(seconds: SecondCount[], field: "accepted" | "rejected"): number {
  return seconds.reduce((n, s) => n + s[field], 0);
}

export async function budgetSeconds(simUrl: string, applicationId: string) {
  const stats = await (await fetch(`${simUrl}/sim/stats`)).json();
  const budget = stats.budgets[applicationId] ?? { lastSeconds: [], maxInAnyWindow: 0 };
  return {
    seconds: budget.lastSeconds as SecondCount[],
    maxInAnyWindow: budget.maxInAnyWindow as number,
    rejections: (stats.rejections.REQUEST_LIMIT_EXCEEDED ?? 0) as number,
  };
}
