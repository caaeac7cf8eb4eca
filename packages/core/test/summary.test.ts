import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  details,
  escapeHtmlText,
  escapeTableCell,
  logGroup,
  markdownCodeBlock,
  markdownHeading,
  markdownInlineCode,
  markdownTable,
  mermaid,
  writeSummary,
} from '../src/summary.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('markdownTable', () => {
  it('builds a GitHub-flavoured table', () => {
    expect(
      markdownTable(
        ['Tag', 'Commits', 'Ok'],
        [
          ['v1.2.4', 3, true],
          ['v1.2.3', 0, false],
        ],
        ['left', 'right', 'center'],
      ),
    ).toBe(
      ['| Tag | Commits | Ok |', '| :--- | ---: | :---: |', '| v1.2.4 | 3 | true |', '| v1.2.3 | 0 | false |', ''].join(
        '\n',
      ),
    );
  });

  it('escapes pipes and line breaks so a cell cannot break the table', () => {
    const table = markdownTable(['Query', 'Note'], [['rate(a[5m]) | b', 'line one\nline two\r\nthree']]);
    expect(table.split('\n')[2]).toBe('| rate(a[5m]) \\| b | line one<br>line two<br>three |');
    expect(escapeTableCell(null)).toBe('');
    expect(escapeTableCell(undefined)).toBe('');
    expect(escapeTableCell(1.5)).toBe('1.5');
  });

  it('pads short rows and refuses long ones', () => {
    expect(markdownTable(['A', 'B'], [['only']]).split('\n')[2]).toBe('| only |  |');
    expect(() => markdownTable(['A'], [['x', 'y']])).toThrow(/row 1 has 2 cells/);
    expect(() => markdownTable([], [])).toThrow(/at least one column/);
  });
});

describe('blocks', () => {
  it('fences mermaid code', () => {
    expect(mermaid('\ngitGraph\n  commit\n')).toBe('```mermaid\ngitGraph\n  commit\n```\n');
  });

  it('uses a fence longer than any backtick run in the code', () => {
    const block = markdownCodeBlock('echo ```\nand ````', 'sh');
    expect(block.startsWith('`````sh\n')).toBe(true);
    expect(block.endsWith('\n`````\n')).toBe(true);
  });

  it('writes inline code that survives backticks', () => {
    expect(markdownInlineCode('v1.2.3')).toBe('`v1.2.3`');
    expect(markdownInlineCode('a`b')).toBe('``a`b``');
    expect(markdownInlineCode('`x')).toBe('`` `x ``');
  });

  it('builds a details block with an escaped summary', () => {
    expect(details('Queries <raw> & "more"', '\n| a |\n')).toBe(
      '<details>\n<summary>Queries &lt;raw&gt; &amp; &quot;more&quot;</summary>\n\n| a |\n\n</details>\n',
    );
    expect(details('Open', 'body', { open: true })).toContain('<details open>');
    expect(escapeHtmlText('<script>')).toBe('&lt;script&gt;');
  });

  it('builds headings on one line', () => {
    expect(markdownHeading('Hotfix v1.2.4')).toBe('## Hotfix v1.2.4\n');
    expect(markdownHeading('a\nb', 9)).toBe('###### a b\n');
    expect(markdownHeading('top', 0)).toBe('# top\n');
  });
});

describe('logGroup', () => {
  it('wraps the work in a collapsible group and returns its result', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk).trimEnd());
      return true;
    });
    const result = await logGroup('Compute version', async () => {
      process.stdout.write('inside\n');
      return 42;
    });
    expect(result).toBe(42);
    expect(lines).toEqual(['::group::Compute version', 'inside', '::endgroup::']);
  });

  it('closes the group when the work fails', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk).trimEnd());
      return true;
    });
    await expect(logGroup('Push', () => Promise.reject(new Error('rejected')))).rejects.toThrow('rejected');
    expect(lines).toEqual(['::group::Push', '::endgroup::']);
  });
});

describe('writeSummary', () => {
  it('appends to GITHUB_STEP_SUMMARY, ending with a newline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'summary-'));
    try {
      const file = join(dir, 'step_summary.md');
      vi.stubEnv('GITHUB_STEP_SUMMARY', file);
      expect(await writeSummary('## First')).toBe(true);
      expect(await writeSummary('second\n')).toBe(true);
      expect(await readFile(file, 'utf8')).toBe('## First\nsecond\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does nothing outside GitHub Actions', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await writeSummary('ignored')).toBe(false);
  });
});
