/** Per-user limits on queries the gateway holds. */
export interface BudgetLimits {
  /** Live queries (submitted, not yet ended) one user may have. */
  maxInFlightPerUser: number;
  /** Queries one user may have whose first answer was never followed by a poll. */
  maxUnpolledPerUser: number;
}

interface Usage {
  inFlight: number;
  unpolled: number;
}

/**
 * UserBudgets counts each user's live and never-polled queries, so one user's flood (thousands of
 * submissions never polled) is refused before it holds the backends' in-flight counts, and a drain, for
 * minutes, while other users go on. Users with nothing live take no memory.
 */
export class UserBudgets {
  private readonly users = new Map<string, Usage>();

  constructor(private readonly limits: BudgetLimits) {}

  /** over: why `user` may not start another query now, or undefined when it may. */
  over(user: string): string | undefined {
    const u = this.users.get(user);
    if (!u) return undefined;
    if (u.inFlight >= this.limits.maxInFlightPerUser)
      return `user '${user.slice(0, 128)}' has ${u.inFlight} queries running through this gateway (limit ${this.limits.maxInFlightPerUser}); wait for some to finish`;
    if (u.unpolled >= this.limits.maxUnpolledPerUser)
      return `user '${user.slice(0, 128)}' has ${u.unpolled} queries that were never polled after their first answer (limit ${this.limits.maxUnpolledPerUser}); poll or cancel them`;
    return undefined;
  }

  started(user: string): void {
    const u = this.users.get(user) ?? { inFlight: 0, unpolled: 0 };
    u.inFlight++;
    u.unpolled++;
    this.users.set(user, u);
  }

  polled(user: string): void {
    const u = this.users.get(user);
    if (u && u.unpolled > 0) u.unpolled--;
  }

  ended(user: string, wasPolled: boolean): void {
    const u = this.users.get(user);
    if (!u) return;
    u.inFlight = Math.max(0, u.inFlight - 1);
    if (!wasPolled) u.unpolled = Math.max(0, u.unpolled - 1);
    if (u.inFlight === 0) this.users.delete(user);
  }

  usage(user: string): Usage {
    const u = this.users.get(user);
    return { inFlight: u?.inFlight ?? 0, unpolled: u?.unpolled ?? 0 };
  }
}
