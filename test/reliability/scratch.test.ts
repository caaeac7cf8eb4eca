import { it } from 'vitest';
import { FUZZ_KITS, fuzzAction } from './r4-fuzz.js';
import { pool } from './support.js';
it('scratch', async () => {
  const only = process.env.KITS?.split(',');
  const kits = FUZZ_KITS.filter((k) => !only || only.includes(k.action));
  const t = Date.now();
  const out = await pool(kits, 4, async (kit) => { const s = Date.now(); const r = await fuzzAction(kit, Number(process.env.N ?? 20), Number(process.env.SEED ?? 4242), 1); return { ...r, ms: Date.now() - s }; });
  for (const o of out) {
    const by = (v: string) => o.records.filter((r) => r.verdict === v).length;
    console.log(`${o.action}: ${o.ms} ms accepted ${by('accepted')} refused ${by('refused')} (other input ${o.records.filter((r) => r.verdict === 'refused' && !r.namedFuzzed).length}) domain ${by('domain-failure')} artifact ${by('artifact')} defect ${by('defect')}`);
    for (const r of o.records.filter((r) => r.verdict === 'defect')) console.log('  DEFECT', JSON.stringify(Object.fromEntries(r.fuzzed.map((n) => [n, r.inputs[n]]))), r.problem?.slice(0, 500));
  }
  console.log('total', Date.now() - t);
}, 1800000);
