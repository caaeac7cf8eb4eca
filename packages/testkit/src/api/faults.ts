import { seededPrng } from '../random.js';
import type {
  StandInFaultHandle,
  StandInFaultKind,
  StandInFaultMatch,
  StandInFaultSpec,
  StandInFaults,
  StandInRandomFaults,
  StandInWriteContext,
} from './types.js';

/** What the server must do instead of (or before) answering normally. */
export interface FaultDecision {
  kind: StandInFaultKind;
  status: number;
  retryAfter: number;
  ms: number;
}

/** The request facts faults are matched against. */
export interface FaultTarget {
  method: string;
  /** Decoded full path. */
  path: string;
  operationId?: string;
}

type WriteHook = (context: StandInWriteContext) => void | Promise<void>;

interface Entry {
  hits: number;
  cancelled: boolean;
}

interface Rule extends Entry {
  spec: StandInFaultSpec;
  remaining: number;
}

interface RandomRule extends Entry {
  options: StandInRandomFaults;
  draw: () => number;
}

interface Hook extends Entry {
  method: string;
  path: string | RegExp;
  fn: WriteHook;
  remaining: number;
}

const DEFAULT_RANDOM_KINDS: StandInFaultKind[] = ['status', 'rate-limit', 'secondary-rate-limit', 'reset'];

function handle(entry: Entry): StandInFaultHandle {
  return {
    get hits() {
      return entry.hits;
    },
    cancel() {
      entry.cancelled = true;
    },
  };
}

/** Fault injection state of one stand-in. */
export class FaultController implements StandInFaults {
  private rules: Rule[] = [];
  private randoms: RandomRule[] = [];
  private hooks: Hook[] = [];

  /** @param repoPrefix `/repos/{owner}/{repo}`, so matches may name paths relative to it */
  constructor(private readonly repoPrefix: string) {}

  private pathMatches(pattern: string | RegExp | undefined, path: string): boolean {
    if (pattern === undefined) return true;
    if (pattern instanceof RegExp) return pattern.test(path);
    if (pattern === path) return true;
    const relative = pattern.startsWith('/') ? pattern : `/${pattern}`;
    return `${this.repoPrefix}${relative}` === path;
  }

  private matches(match: StandInFaultMatch | undefined, target: FaultTarget): boolean {
    if (!match) return true;
    if (match.method !== undefined && match.method.toUpperCase() !== target.method) return false;
    if (match.operationId !== undefined && match.operationId !== target.operationId) return false;
    return this.pathMatches(match.path, target.path);
  }

  inject(spec: StandInFaultSpec): StandInFaultHandle {
    const rule: Rule = { spec, remaining: spec.times ?? 1, hits: 0, cancelled: false };
    this.rules.push(rule);
    return handle(rule);
  }

  random(options: StandInRandomFaults): StandInFaultHandle {
    if (!(options.rate >= 0 && options.rate <= 1))
      throw new Error(`faults.random: rate must be within 0..1, got ${options.rate}`);
    const rule: RandomRule = { options, draw: seededPrng(options.seed), hits: 0, cancelled: false };
    this.randoms.push(rule);
    return handle(rule);
  }

  beforeWrite(
    method: string,
    path: string | RegExp,
    fn: WriteHook,
    options: { times?: number } = {},
  ): StandInFaultHandle {
    const hook: Hook = {
      method: method.toUpperCase(),
      path,
      fn,
      remaining: options.times ?? 1,
      hits: 0,
      cancelled: false,
    };
    this.hooks.push(hook);
    return handle(hook);
  }

  clear(): void {
    for (const entry of [...this.rules, ...this.randoms, ...this.hooks]) entry.cancelled = true;
    this.rules = [];
    this.randoms = [];
    this.hooks = [];
  }

  /** The fault for a request, if any applies; consumes one use of the rule. */
  decide(target: FaultTarget): FaultDecision | undefined {
    for (const rule of this.rules) {
      if (rule.cancelled || rule.remaining <= 0 || !this.matches(rule.spec.match, target)) continue;
      rule.remaining -= 1;
      rule.hits += 1;
      return {
        kind: rule.spec.kind,
        status: rule.spec.status ?? 500,
        retryAfter: rule.spec.retryAfter ?? 1,
        ms: rule.spec.ms ?? 200,
      };
    }
    for (const rule of this.randoms) {
      if (rule.cancelled || !this.matches(rule.options.match, target)) continue;
      // Draw for every matching request so the sequence depends only on the seed and the traffic.
      const roll = rule.draw();
      const pick = rule.draw();
      if (roll >= rule.options.rate) continue;
      const kinds = rule.options.kinds && rule.options.kinds.length > 0 ? rule.options.kinds : DEFAULT_RANDOM_KINDS;
      rule.hits += 1;
      return {
        kind: kinds[Math.floor(pick * kinds.length)]!,
        status: rule.options.status ?? 500,
        retryAfter: rule.options.retryAfter ?? 1,
        ms: rule.options.ms ?? 200,
      };
    }
    return undefined;
  }

  /** Racing-writer hooks due for a write request; consumes one use of each. */
  takeHooks(target: FaultTarget): WriteHook[] {
    const due: WriteHook[] = [];
    for (const hook of this.hooks) {
      if (hook.cancelled || hook.remaining <= 0 || hook.method !== target.method) continue;
      if (!this.pathMatches(hook.path, target.path)) continue;
      hook.remaining -= 1;
      hook.hits += 1;
      due.push(hook.fn);
    }
    return due;
  }
}
