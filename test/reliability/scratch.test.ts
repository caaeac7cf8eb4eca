import { it } from 'vitest';
import { raceVersionBumps } from './r2-concurrency.js';
it('scratch', async () => {
  for (let i = 0; i < 2; i++) {
    const r = await raceVersionBumps('api');
    console.log(JSON.stringify({ ...r, problems: r.problems.map((p) => p.slice(0, 1500)) }, null, 1));
  }
}, 300000);
