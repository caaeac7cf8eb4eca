import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BEADS_FIELD_ORDER,
  applyBeadsEdits,
  beadsApplyOperations,
  beadsNewId,
  beadsNewIssueRecord,
  beadsTransition,
  encodeBeadsJson,
  encodeBeadsRecordEdit,
  isConfigurationError,
  parseBeadsJsonl,
  type BeadsEditResult,
  type BeadsOperation,
  type BeadsRecord,
} from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('../../../../shared/fixtures/beads/issues.jsonl', import.meta.url));
const fixture = readFileSync(FIXTURE);
const NOW = '2026-02-01T10:00:00Z';
const ACTOR = 'hotfix-bot';

function output(result: BeadsEditResult): Buffer {
  return Buffer.concat(result.chunks);
}

/** Indexes of the lines that differ between two files with the same number of lines. */
function changedLines(before: Buffer, after: Buffer): number[] {
  const a = before.toString('utf8').split('\n');
  const b = after.toString('utf8').split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [i]));
}

function expectBdKeyOrder(record: BeadsRecord): void {
  const ranks = Object.keys(record).map((key) => BEADS_FIELD_ORDER.indexOf(key));
  expect(ranks.every((rank) => rank >= 0)).toBe(true);
  expect([...ranks].sort((x, y) => x - y)).toEqual(ranks);
}

describe('parseBeadsJsonl on the real tracker', () => {
  const doc = parseBeadsJsonl(fixture);

  it('reads the conventions bd writes', () => {
    expect(doc.lineCount).toBe(2536);
    expect(doc.eol).toBe('\n');
    expect(doc.finalNewline).toBe(true);
    expect(doc.bom).toBe(false);
    expect(doc.isSortedById()).toBe(true);
    expect(new Set(doc.ids()).size).toBe(2536);
  });

  it('reads ids from the line prefix exactly as the records hold them', () => {
    for (let i = 0; i < doc.lineCount; i += 97) expect(doc.lineId(i)).toBe(doc.record(i)['id']);
  });

  it('finds every issue on its own line', () => {
    doc.ids().forEach((id, line) => {
      if (id !== undefined && line % 13 === 0) expect(doc.findLine(id)).toBe(line);
    });
    expect(doc.findLine('bd-nope')).toBe(-1);
    // A prefix of an existing id is a different issue.
    expect(doc.findLine('bd-1hc4')).toBe(-1);
  });

  it('finds issues by binary search without building the line table', () => {
    const fresh = parseBeadsJsonl(fixture);
    for (const id of ['bd-0088', 'bd-1hc40', 'bd-34q1', doc.lineId(doc.lineCount - 1) as string]) {
      const line = fresh.findIssue(id);
      expect(line).toBeDefined();
      expect(fresh.recordOf(line as { start: number; end: number })['id']).toBe(id);
    }
    expect(fresh.findIssue('bd-1hc4')).toBeUndefined();
    expect(fresh.findIssue('zz-top')).toBeUndefined();
    expect(fresh.findIssue('aa-first')).toBeUndefined();
  });

  it('reproduces the file exactly when nothing changes', () => {
    const none = applyBeadsEdits(doc, []);
    expect(none.changed).toBe(false);
    expect(output(none).equals(fixture)).toBe(true);
    const line = doc.findLine('bd-34q1');
    const same = applyBeadsEdits(doc, [{ kind: 'replace', record: { ...doc.record(line) } }]);
    expect(same.changed).toBe(false);
    expect(output(same).equals(fixture)).toBe(true);
  });
});

describe('transitions on the real tracker change exactly one line', () => {
  const doc = parseBeadsJsonl(fixture);
  const cases: [string, string, BeadsOperation, { customStatuses?: string[] }?][] = [
    ['start', 'bd-1hc40', { kind: 'start' }],
    ['merged → deployed label', 'bd-1hc40', { kind: 'merged' }],
    ['deployed status when configured', 'bd-1hc40', { kind: 'deployed' }, { customStatuses: ['deployed'] }],
    ['close', 'bd-0vu3q', { kind: 'close', reason: 'Fixed in v2.1.4, forward-ported to main' }],
    ['reopen', 'bd-34q1', { kind: 'reopen' }],
    ['add labels', 'bd-34q1', { kind: 'add-labels', labels: ['hotfix', 'a-first'] }],
    ['remove labels', 'bd-3kbmj', { kind: 'remove-labels', labels: ['urgent'] }],
    ['set priority', 'bd-1hc40', { kind: 'set-priority', priority: 0 }],
    ['add dependency', 'bd-0088', { kind: 'add-dependency', dependsOn: 'bd-1hc40', type: 'caused-by' }],
    ['append notes', 'bd-34q1', { kind: 'append-notes', text: 'Deployed in v2.1.4' }],
  ];

  it.each(cases)('%s', (_name, id, operation, options) => {
    const line = doc.findLine(id);
    const before = doc.record(line);
    const after = beadsTransition(before, operation, NOW, ACTOR, options);
    expect(after).not.toBe('unchanged');
    const result = applyBeadsEdits(doc, [{ kind: 'replace', record: after as BeadsRecord }]);
    expect(result.replaced).toEqual([id]);
    const bytes = output(result);
    expect(changedLines(fixture, bytes)).toEqual([line]);
    const written = parseBeadsJsonl(bytes);
    expect(written.record(line)).toEqual(after);
    expect(written.record(line)['updated_at']).toBe(NOW);
    // Keys bd knows keep bd's order after the edit.
    expectBdKeyOrder(written.record(line));
    // Applying it again changes nothing (the action's re-run and retry path).
    expect(beadsTransition(written.record(line), operation, '2026-02-02T00:00:00Z', ACTOR, options)).toBe('unchanged');
  });

  it('places new fields where bd writes them', () => {
    const line = doc.findLine('bd-1hc40');
    const started = beadsTransition(doc.record(line), { kind: 'start' }, NOW, ACTOR) as BeadsRecord;
    const closed = beadsTransition(started, { kind: 'close', reason: 'done' }, NOW, ACTOR) as BeadsRecord;
    const text = encodeBeadsRecordEdit(doc.lineText(line), closed, doc.record(line));
    expect(text).toBe(
      '{"id":"bd-1hc40","title":"Blocking issue","status":"closed","priority":1,"issue_type":"task",' +
        '"owner":"steve.yegge@gmail.com","created_at":"2026-01-11T18:16:13.008593-08:00",' +
        '"created_by":"beads/crew/wolf","updated_at":"2026-02-01T10:00:00Z","started_at":"2026-02-01T10:00:00Z",' +
        '"closed_at":"2026-02-01T10:00:00Z","close_reason":"done"}',
    );
  });

  it('applies several operations as one rewrite of one line', () => {
    const line = doc.findLine('bd-1hc40');
    const after = beadsApplyOperations(
      doc.record(line),
      [
        { kind: 'start' },
        { kind: 'add-labels', labels: ['hotfix'] },
        { kind: 'add-dependency', dependsOn: 'bd-0vu3q', type: 'discovered-from' },
      ],
      NOW,
      ACTOR,
    ) as BeadsRecord;
    const bytes = output(applyBeadsEdits(doc, [{ kind: 'replace', record: after }]));
    expect(changedLines(fixture, bytes)).toEqual([line]);
    expect(parseBeadsJsonl(bytes).lineText(line)).toBe(
      '{"id":"bd-1hc40","title":"Blocking issue","status":"in_progress","priority":1,"issue_type":"task",' +
        '"owner":"steve.yegge@gmail.com","created_at":"2026-01-11T18:16:13.008593-08:00",' +
        '"created_by":"beads/crew/wolf","updated_at":"2026-02-01T10:00:00Z","started_at":"2026-02-01T10:00:00Z",' +
        '"labels":["hotfix"],"dependencies":[{"issue_id":"bd-1hc40","depends_on_id":"bd-0vu3q",' +
        '"type":"discovered-from","created_at":"2026-02-01T10:00:00Z","created_by":"hotfix-bot"}]}',
    );
  });

  it('refuses to edit an issue that is not there', () => {
    const record = { id: 'bd-zzzzz', title: 'ghost', status: 'open', priority: 2 };
    expect(() => applyBeadsEdits(doc, [{ kind: 'replace', record }])).toThrow(/bd-zzzzz is not in/);
  });
});

describe('creating an issue in the real tracker', () => {
  const doc = parseBeadsJsonl(fixture);
  const ids = doc.ids().filter((id): id is string => id !== undefined);

  it('adds one line with a fresh id, in id order, everything else untouched', () => {
    const input = {
      title: 'Post-incident review: checkout 500s',
      description: 'Regression found during hotfix v2.1.4',
      creator: ACTOR,
      createdAt: NOW,
    };
    const id = beadsNewId('bd', input, ids);
    expect(id).toMatch(/^bd-[0-9a-z]{5}$/); // 2,536 issues: bd starts at 5 characters
    expect(ids).not.toContain(id);
    const record = beadsNewIssueRecord({
      id,
      title: input.title,
      description: input.description,
      createdAt: NOW,
      createdBy: ACTOR,
      issueType: 'bug',
      priority: 1,
      labels: ['post-incident', 'hotfix'],
      externalRef: 'gh-123',
      dependencies: [
        { type: 'discovered-from', dependsOn: 'bd-1hc40' },
        { type: 'blocks', dependsOn: 'bd-0vu3q' },
      ],
    });
    const result = applyBeadsEdits(doc, [{ kind: 'insert', record }]);
    expect(result.inserted).toEqual([id]);
    const after = output(result).toString('utf8').split('\n');
    const before = fixture.toString('utf8').split('\n');
    expect(after).toHaveLength(before.length + 1);
    const at = after.indexOf(encodeBeadsJson(record));
    expect(at).toBeGreaterThanOrEqual(0);
    expect([...after.slice(0, at), ...after.slice(at + 1)]).toEqual(before);
    const written = parseBeadsJsonl(output(result));
    expect(written.isSortedById()).toBe(true);
    expect(written.record(written.findLine(id))).toEqual(record);
    expect(written.lineText(at)).toBe(
      `{"id":"${id}","title":"Post-incident review: checkout 500s",` +
        '"description":"Regression found during hotfix v2.1.4","status":"open","priority":1,"issue_type":"bug",' +
        `"created_at":"${NOW}","created_by":"hotfix-bot","updated_at":"${NOW}","external_ref":"gh-123",` +
        '"labels":["hotfix","post-incident"],"dependencies":[' +
        `{"issue_id":"${id}","depends_on_id":"bd-1hc40","type":"discovered-from","created_at":"${NOW}","created_by":"hotfix-bot"},` +
        `{"issue_id":"${id}","depends_on_id":"bd-0vu3q","type":"blocks","created_at":"${NOW}","created_by":"hotfix-bot"}]}`,
    );
  });

  it('writes hostile titles exactly as Go would', () => {
    const title = 'Fix "quotes" & <script>alert(1)</script>\u2028🔥\nnext';
    const record = beadsNewIssueRecord({ id: 'bd-zzzzz', title, createdAt: NOW, createdBy: ACTOR });
    const result = applyBeadsEdits(doc, [{ kind: 'insert', record }]);
    const last = output(result).toString('utf8').split('\n').at(-2);
    expect(last).toBe(
      String.raw`{"id":"bd-zzzzz","title":"Fix \"quotes\" \u0026 \u003cscript\u003ealert(1)\u003c/script\u003e\u2028🔥\nnext",` +
        `"status":"open","priority":2,"issue_type":"task","created_at":"${NOW}","created_by":"hotfix-bot","updated_at":"${NOW}"}`,
    );
  });

  it('keeps one issue per line whatever the title, description and labels hold', () => {
    const small = parseBeadsJsonl(fixture.subarray(0, fixture.indexOf('\n', 20000) + 1));
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(
        text.filter((title) => title.trim() !== ''),
        text,
        fc.array(
          text.filter((label) => label.trim() !== ''),
          { maxLength: 3 },
        ),
        (title, description, labels) => {
          const record = beadsNewIssueRecord({
            id: 'bd-zzzzz',
            title,
            description,
            labels,
            createdAt: NOW,
            createdBy: ACTOR,
          });
          const bytes = output(applyBeadsEdits(small, [{ kind: 'insert', record }]));
          const lines = bytes.toString('utf8').split('\n');
          expect(lines).toHaveLength(small.lineCount + 2);
          const added = lines.at(-2) as string;
          expect(added).not.toMatch(/[\r\u2028\u2029<>&]/);
          expect(JSON.parse(added)).toEqual(record);
          expect(bytes.subarray(0, small.bytes.length).equals(small.bytes)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an id that already exists', () => {
    const record = beadsNewIssueRecord({ id: 'bd-1hc40', title: 'dup', createdAt: NOW, createdBy: ACTOR });
    expect(() => applyBeadsEdits(doc, [{ kind: 'insert', record }])).toThrow(/already exists/);
  });
});

describe('file conventions', () => {
  const a = '{"id":"x-1","title":"one","status":"open","priority":2}';
  const b = '{"id":"x-3","title":"three","status":"open","priority":2}';
  const newRecord = { id: 'x-2', title: 'two', status: 'open', priority: 2 };
  const newLine = '{"id":"x-2","title":"two","status":"open","priority":2}';

  it('keeps CRLF line endings, including on inserted lines', () => {
    const doc = parseBeadsJsonl(`${a}\r\n${b}\r\n`);
    expect(doc.eol).toBe('\r\n');
    const edited = { ...doc.record(1), priority: 0 };
    const result = applyBeadsEdits(doc, [
      { kind: 'insert', record: newRecord },
      { kind: 'replace', record: edited },
    ]);
    expect(output(result).toString()).toBe(`${a}\r\n${newLine}\r\n${b.replace('"priority":2', '"priority":0')}\r\n`);
  });

  it('keeps a missing final newline when appending', () => {
    const doc = parseBeadsJsonl(`${a}\n${newLine}`);
    expect(doc.finalNewline).toBe(false);
    const result = applyBeadsEdits(doc, [{ kind: 'insert', record: { ...newRecord, id: 'x-4' } }]);
    expect(output(result).toString()).toBe(`${a}\n${newLine}\n${newLine.replace('x-2', 'x-4')}`);
  });

  it('appends at the end of a file that is not sorted, before trailing blank lines', () => {
    const doc = parseBeadsJsonl(`${b}\n${a}\n\n`);
    expect(doc.isSortedById()).toBe(false);
    const result = applyBeadsEdits(doc, [{ kind: 'insert', record: newRecord }]);
    expect(output(result).toString()).toBe(`${b}\n${a}\n${newLine}\n\n`);
  });

  it('starts an empty file with one terminated line', () => {
    const result = applyBeadsEdits(parseBeadsJsonl(''), [{ kind: 'insert', record: newRecord }]);
    expect(output(result).toString()).toBe(`${newLine}\n`);
  });

  it('keeps a byte-order mark and blank lines', () => {
    const doc = parseBeadsJsonl(`\ufeff${a}\n\n${b}\n`);
    expect(doc.bom).toBe(true);
    expect(doc.findLine('x-1')).toBe(0);
    expect(doc.lineId(1)).toBeUndefined();
    const result = applyBeadsEdits(doc, [{ kind: 'replace', record: { ...doc.record(2), title: 'THREE' } }]);
    expect(output(result).toString()).toBe(`\ufeff${a}\n\n${b.replace('three', 'THREE')}\n`);
  });

  it('finds and edits hand-written lines: untouched values and unknown fields verbatim, new fields in bd order', () => {
    const odd = '{ "title" : "t\\u00e9", "id": "x-9", "n": 1.50, "metadata": {"10":1,"b":[1, 2]}, "_type": "x" }';
    const doc = parseBeadsJsonl(`${a}\n${odd}\n`);
    expect(doc.findLine('x-9')).toBe(1);
    const after = beadsTransition(doc.record(1), { kind: 'set-priority', priority: 3 }, NOW, ACTOR) as BeadsRecord;
    const result = applyBeadsEdits(doc, [{ kind: 'replace', record: after }]);
    expect(output(result).toString()).toBe(
      `${a}\n{"title":"t\\u00e9","id":"x-9","priority":3,"updated_at":"${NOW}","n":1.50,` +
        '"metadata":{"10":1,"b":[1, 2]},"_type":"x"}\n',
    );
  });

  it('finds issues in unsorted files, hand-written lines and blank-line gaps alike', () => {
    const odd = '{"title":"x","id":"x-0"}';
    const doc = parseBeadsJsonl(`${b}\n\n${a}\n${odd}\n${newLine}\n`);
    expect(doc.findIssue('x-1')?.start).toBe(b.length + 2);
    expect(doc.findIssue('x-2')).toBeDefined();
    expect(doc.recordOf(doc.findIssue('x-0') as { start: number; end: number })['title']).toBe('x');
    expect(doc.findIssue('x-9')).toBeUndefined();
    expect(doc.ids()).toEqual(['x-3', undefined, 'x-1', 'x-0', 'x-2']);
  });

  it('refuses duplicates next to the line found, or met by the scan', () => {
    expect(() => parseBeadsJsonl(`${a}\n${a}\n${b}\n`).findIssue('x-1')).toThrow(/Lines 1 and 2 .* issue x-1/);
    expect(() => parseBeadsJsonl(`${newLine}\n${b}\n${b}\n`).findIssue('x-3')).toThrow(/Lines 2 and 3/);
    // Hand-written lines in the middle stop the binary search; the scan then sees both copies.
    const odd = Array.from({ length: 4 }, (_, i) => `{ "id": "x-${5 + i}", "pad": "${'.'.repeat(200)}" }`);
    const unsorted = parseBeadsJsonl(`${a}\n${odd.join('\n')}\n${a}\n`);
    expect(() => unsorted.findIssue('x-1')).toThrow(/Lines 1 and 6 .* issue x-1/);
  });

  it('reports a malformed line by number, and duplicate ids', () => {
    const broken = parseBeadsJsonl(`${a}\n{"id":"x-2",oops}\n`);
    expect(() => broken.record(1)).toThrow(/Line 2 of \.beads\/issues\.jsonl is not valid JSON/);
    const duplicated = parseBeadsJsonl(`${a}\n${a}\n`);
    try {
      duplicated.findLine('x-1');
      expect.unreachable();
    } catch (error) {
      expect(isConfigurationError(error)).toBe(true);
      expect((error as Error).message).toMatch(/Lines 1 and 2 .* both hold issue x-1/);
    }
  });

  it('refuses two edits of one issue', () => {
    const doc = parseBeadsJsonl(`${a}\n`);
    const record = doc.record(0);
    expect(() =>
      applyBeadsEdits(doc, [
        { kind: 'replace', record },
        { kind: 'replace', record },
      ]),
    ).toThrow(/Two edits/);
  });
});
