import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  beadsDoltRefusalMessage,
  detectBeadsMode,
  isConfigurationError,
  parseBeadsConfig,
  parseBeadsMetadata,
} from '../src/index.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../../shared/fixtures/beads/${name}`, import.meta.url)), 'utf8');

describe('parseBeadsConfig', () => {
  it('reads the real config.yaml (comments everywhere, sync-branch spelling)', async () => {
    expect(await parseBeadsConfig(fixture('config.yaml'))).toEqual({
      issuePrefix: 'bd',
      syncBranch: 'beads-sync',
      syncRemote: undefined,
      syncMode: undefined,
      noDb: false,
      customStatuses: [],
      customTypes: [],
    });
  });

  it('reads nested and dotted keys alike, case-insensitively as viper does', async () => {
    const nested = await parseBeadsConfig(
      'Issue-Prefix: app\nsync:\n  branch: tracker\n  remote: origin\nstatus:\n  custom: [review, deployed]\nno-db: true\n',
    );
    expect(nested).toMatchObject({
      issuePrefix: 'app',
      syncBranch: 'tracker',
      syncRemote: 'origin',
      noDb: true,
      customStatuses: ['review', 'deployed'],
    });
    const dotted = await parseBeadsConfig(
      'sync.branch: tracker\nsync-branch: old\nstatus.custom: "review, deployed:done,qa:wip"\ntypes.custom: incident,spike\n',
    );
    expect(dotted).toMatchObject({
      syncBranch: 'tracker',
      customStatuses: ['review', 'deployed', 'qa'],
      customTypes: ['incident', 'spike'],
    });
    expect(await parseBeadsConfig('')).toMatchObject({ noDb: false, customStatuses: [] });
    expect((await parseBeadsConfig('# only comments\n')).issuePrefix).toBeUndefined();
  });

  it('refuses invalid YAML and invalid custom statuses, naming the file', async () => {
    for (const bad of ['a: [1, 2', '- a\n- b\n', 'status.custom: "Deployed"', 'status.custom: open']) {
      try {
        await parseBeadsConfig(bad);
        expect.unreachable();
      } catch (error) {
        expect(isConfigurationError(error)).toBe(true);
        expect((error as Error).message).toContain('.beads/config.yaml');
      }
    }
  });
});

describe('parseBeadsMetadata', () => {
  it('reads the real metadata.json', () => {
    expect(parseBeadsMetadata(fixture('metadata.json'))).toMatchObject({
      database: 'beads.db',
      jsonlExport: 'issues.jsonl',
      lastBdVersion: '0.27.2',
      backend: undefined,
    });
  });

  it('refuses what is not a JSON object', () => {
    expect(() => parseBeadsMetadata('{')).toThrow(/metadata\.json is not valid JSON/);
    expect(() => parseBeadsMetadata('[]')).toThrow(/must be a JSON object/);
  });
});

const fixtureConfig = await parseBeadsConfig(fixture('config.yaml'));
const doltNativeConfig = await parseBeadsConfig('sync:\n  mode: dolt-native\n');
const doltRemoteConfig = await parseBeadsConfig('sync.remote: https://doltremoteapi.dolthub.com/org/db\n');

describe('detectBeadsMode', () => {
  const config = fixtureConfig;
  const metadata = parseBeadsMetadata(fixture('metadata.json'));

  it('finds the real repository JSONL-authoritative', () => {
    const detection = detectBeadsMode({
      files: ['.beads/issues.jsonl', '.beads/config.yaml', '.beads/metadata.json'],
      config,
      metadata,
      hasDoltRemoteRef: false,
    });
    expect(detection.mode).toBe('jsonl');
    expect(detection.reason).toMatch(/issues\.jsonl is the source of truth .*SQLite cache/);
  });

  it.each([
    ['a Dolt ref on the remote', { hasDoltRemoteRef: true }, /refs\/dolt\/data/],
    ['backend dolt', { metadata: parseBeadsMetadata('{"database":"dolt","backend":"dolt"}') }, /backend "dolt"/],
    ['a Dolt server', { metadata: parseBeadsMetadata('{"database":"dolt","dolt_mode":"server"}') }, /Dolt connection/],
    ['embedded Dolt', { files: ['issues.jsonl', 'embeddeddolt/'] }, /embeddeddolt\/ exists/],
    ['bd 1.x metadata', { metadata: parseBeadsMetadata('{"last_bd_version":"1.0.2"}') }, /bd 1\.0\.2/],
    ['dolt-native sync', { config: doltNativeConfig }, /dolt-native/],
    ['a Dolt remote URL', { config: doltRemoteConfig }, /sync\.remote/],
  ])('sees a Dolt repository by %s', (_name, facts, reason) => {
    const detection = detectBeadsMode({ files: ['issues.jsonl'], config, metadata, ...facts });
    expect(detection.mode).toBe('dolt');
    expect(detection.reason).toMatch(reason);
    const refusal = beadsDoltRefusalMessage(detection);
    expect(refusal).toMatch(/ignored or overwritten/);
    expect(refusal).toMatch(/backend: bd/);
  });

  it('lets Dolt signs win over no-db, and a git remote name is not a Dolt sign', async () => {
    const noDb = await parseBeadsConfig('no-db: true\nsync.remote: origin\n');
    expect(detectBeadsMode({ files: ['issues.jsonl'], config: noDb }).mode).toBe('jsonl');
    expect(detectBeadsMode({ files: ['issues.jsonl'], config: noDb, hasDoltRemoteRef: true }).mode).toBe('dolt');
  });

  it('reports no Beads data when there is neither a JSONL nor a database', () => {
    expect(detectBeadsMode({ files: ['config.yaml'] })).toMatchObject({ mode: 'none', evidence: [] });
    expect(detectBeadsMode({ files: [] }).reason).toMatch(/no \.beads\/issues\.jsonl/);
  });
});
