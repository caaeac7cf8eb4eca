import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import { describeFailure, runAction } from '../src/run.js';

describe('describeFailure', () => {
  it('titles a ConfigurationError with its input and keeps only its message', () => {
    const failure = describeFailure(new ConfigurationError('Input "dry-run" must be true or false.', 'dry-run'));
    expect(failure).toEqual({
      title: 'Configuration error for input "dry-run"',
      message: 'Input "dry-run" must be true or false.',
    });
  });

  it('titles a ConfigurationError without input plainly', () => {
    expect(describeFailure(new ConfigurationError('No release branch.'))).toEqual({
      title: 'Configuration error',
      message: 'No release branch.',
    });
  });

  it('recognises a ConfigurationError from another copy of the library by its name', () => {
    const foreign = Object.assign(new Error('bad input'), { name: 'ConfigurationError', input: 'line' });
    expect(describeFailure(foreign).title).toBe('Configuration error for input "line"');
  });

  it('treats anything else as a bug, with its stack for the debug log', () => {
    const bug = new TypeError('Cannot read properties of undefined');
    const failure = describeFailure(bug);
    expect(failure.title).toBe('Unexpected error');
    expect(failure.message).toBe('Cannot read properties of undefined (see debug log for the stack)');
    expect(failure.stack).toContain('TypeError: Cannot read properties of undefined');
    expect(failure.stack).toContain('run.test.ts');
  });

  it('includes the causes in the stack and the inner errors of an AggregateError in the message', () => {
    const failure = describeFailure(new Error('push failed', { cause: new Error('connection reset') }));
    expect(failure.stack).toContain('Caused by: Error: connection reset');
    const aggregate = describeFailure(new AggregateError([new Error('a'), new Error('b')], 'two failures'));
    expect(aggregate.message).toBe('two failures: a; b (see debug log for the stack)');
  });

  it('copes with thrown values that are not errors', () => {
    expect(describeFailure('plain string')).toEqual({
      title: 'Unexpected error',
      message: 'plain string (see debug log for the stack)',
    });
    expect(describeFailure(undefined).message).toBe('undefined (see debug log for the stack)');
  });
});

describe('runAction', () => {
  let lines: string[];
  const savedExitCode = process.exitCode;

  beforeEach(() => {
    lines = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(
        ...String(chunk)
          .split(/\r?\n/)
          .filter((line) => line !== ''),
      );
      return true;
    });
    process.exitCode = undefined;
  });

  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = savedExitCode;
  });

  it('leaves a successful run alone', async () => {
    let ran = false;
    await runAction(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(process.exitCode).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it('turns a ConfigurationError into exactly one annotation and exit code 1', async () => {
    await runAction(async () => {
      throw new ConfigurationError(
        'Input "scheme" must be one of "patch", "hotfix-suffix", but got "minor".',
        'scheme',
      );
    });
    expect(process.exitCode).toBe(1);
    const annotations = lines.filter((line) => line.startsWith('::error'));
    expect(annotations).toEqual([
      '::error title=Configuration error for input "scheme"::Input "scheme" must be one of "patch", "hotfix-suffix", but got "minor".',
    ]);
    expect(lines.filter((line) => line.startsWith('::debug'))).toEqual([]);
  });

  it('turns a bug into one annotation and its stack into debug output', async () => {
    await runAction(async () => {
      await Promise.resolve();
      throw new RangeError('index out of range');
    });
    expect(process.exitCode).toBe(1);
    const annotations = lines.filter((line) => line.startsWith('::error'));
    expect(annotations).toEqual(['::error title=Unexpected error::index out of range (see debug log for the stack)']);
    const debug = lines.filter((line) => line.startsWith('::debug::'));
    expect(debug).toHaveLength(1);
    // Multi-line stacks travel as one command with escaped newlines.
    expect(debug[0]).toContain('RangeError: index out of range%0A');
  });

  it('escapes a multi-line message into one annotation line', async () => {
    await runAction(async () => {
      throw new ConfigurationError('first line\nsecond line', 'targets');
    });
    const annotations = lines.filter((line) => line.startsWith('::error'));
    expect(annotations).toEqual(['::error title=Configuration error for input "targets"::first line%0Asecond line']);
  });
});
