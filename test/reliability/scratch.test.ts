import { it } from 'vitest';
import { actionsFor, runUnderFaults, type FaultPlan } from './r3-faults.js';
import { pool } from './support.js';
it('scratch', async () => {
  const cases: { action: any; seed: number; plan: FaultPlan }[] = [];
  for (const plan of ['lost-answer', 'outage'] as const) {
    const actions = actionsFor(plan);
    for (let i = 0; i < 12; i++) cases.push({ action: actions[i % actions.length], seed: 2000 + i, plan });
  }
  const t = Date.now();
  const out = await pool(cases, 3, async (c) => { const s = Date.now(); const o = await runUnderFaults(c.action, c.seed, c.plan); return { ...o, ms: Date.now() - s }; });
  for (const o of out) console.log(o.plan, o.action, o.seed, o.first, o.healed, o.faults, o.where, o.error ?? '', o.ms, o.problems.map((p) => p.slice(0, 700)).join('\n'));
  console.log('total', Date.now() - t);
}, 600000);
