import { chmod, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyBeadsEdits, beadsWriteFileAtomic, readBeadsJsonl } from '../src/index.js';

describe('beadsWriteFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beads-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces a file with the given chunks and leaves no temporary file', async () => {
    const path = join(dir, 'issues.jsonl');
    await writeFile(path, 'old\n');
    await beadsWriteFileAtomic(path, [Buffer.from('{"id":"a-1"}\n'), Buffer.from('{"id":"a-2"}\n')]);
    expect(await readFile(path, 'utf8')).toBe('{"id":"a-1"}\n{"id":"a-2"}\n');
    expect(await readdir(dir)).toEqual(['issues.jsonl']);
  });

  it('writes many chunks in order', async () => {
    const path = join(dir, 'many.jsonl');
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.from(`${i}\n`));
    await beadsWriteFileAtomic(path, chunks);
    expect(await readFile(path, 'utf8')).toBe(Buffer.concat(chunks).toString('utf8'));
  });

  it('round-trips a document: read, edit, replace', async () => {
    const path = join(dir, 'issues.jsonl');
    await writeFile(path, '{"id":"x-1","title":"a","priority":2}\r\n{"id":"x-2","title":"b","priority":2}\r\n');
    const doc = await readBeadsJsonl(path);
    expect(doc.name).toBe(path);
    expect(doc.eol).toBe('\r\n');
    const line = doc.findIssue('x-2');
    const record = { ...doc.recordOf(line as { start: number; end: number }), priority: 0 };
    await beadsWriteFileAtomic(path, applyBeadsEdits(doc, [{ kind: 'replace', record }]).chunks);
    expect(await readFile(path, 'utf8')).toBe(
      '{"id":"x-1","title":"a","priority":2}\r\n{"id":"x-2","title":"b","priority":0}\r\n',
    );
    expect((await readBeadsJsonl(path, { name: '.beads/issues.jsonl' })).name).toBe('.beads/issues.jsonl');
    await expect(readBeadsJsonl(join(dir, 'missing.jsonl'))).rejects.toThrow(/ENOENT/);
  });

  it('creates a missing file and accepts text or bytes', async () => {
    const path = join(dir, 'new.jsonl');
    await beadsWriteFileAtomic(path, 'é\n', { fsync: false });
    expect(await readFile(path, 'utf8')).toBe('é\n');
    await beadsWriteFileAtomic(path, new Uint8Array([0x61, 0x0a]));
    expect(await readFile(path, 'utf8')).toBe('a\n');
  });

  it('keeps the permissions of the file it replaces', async () => {
    const path = join(dir, 'issues.jsonl');
    await writeFile(path, 'x');
    await chmod(path, 0o640);
    await beadsWriteFileAtomic(path, 'y');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('writes through a symlink, keeping the link', async () => {
    const real = join(dir, 'real.jsonl');
    const link = join(dir, 'link.jsonl');
    await writeFile(real, 'x');
    await symlink(real, link);
    await beadsWriteFileAtomic(link, 'y');
    expect(await readFile(real, 'utf8')).toBe('y');
    expect((await stat(link)).isFile()).toBe(true);
  });

  it('leaves the original untouched and cleans up when the write fails', async () => {
    const path = join(dir, 'issues.jsonl');
    await writeFile(path, 'original');
    // The second chunk fails mid-write, as a full disk would.
    const failing = {
      get length(): number {
        throw new Error('ENOSPC: no space left on device');
      },
    } as unknown as Uint8Array;
    const bad = [Buffer.from('partial'), failing];
    await expect(beadsWriteFileAtomic(path, bad)).rejects.toThrow(/ENOSPC/);
    expect(await readFile(path, 'utf8')).toBe('original');
    expect(await readdir(dir)).toEqual(['issues.jsonl']);
  });
});
