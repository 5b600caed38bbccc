/**
 * Fault injection for tests: rules matched by method, route template and/or path that answer with
 * a chosen status and body, add a delay, or reset the connection, a limited number of `times`.
 */
import type { FaultRule } from "./simulator.types.js";

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export class FaultRegistry {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): () => void {
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
      throw new Error(`FaultRule.times: expected a positive integer, received ${String(rule.times)}`);
    }
    const active: ActiveRule = { rule, remaining: rule.times ?? Number.POSITIVE_INFINITY };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The first matching rule (consuming one of its `times`), if any. */
  take(method: string, route: string, path: string): FaultRule | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.route && rule.route !== route) continue;
      if (rule.path !== undefined) {
        if (typeof rule.path === "string" ? rule.path !== path : !rule.path.test(path)) continue;
      }
      active.remaining--;
      if (active.remaining <= 0) this.rules = this.rules.filter((r) => r !== active);
      return rule;
    }
    return undefined;
  }
}
