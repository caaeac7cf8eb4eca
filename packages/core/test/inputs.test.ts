import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import {
  formatDuration,
  getBooleanInput,
  getDurationInput,
  getEnumInput,
  getIntegerInput,
  getListInput,
  getNumberInput,
  getStringInput,
  getUrlInput,
  inputEnvName,
  isSecretInputName,
  parseDuration,
  readRawInput,
} from '../src/inputs.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Sets an input the way the runner does (INPUT_<NAME>, dashes kept). */
function setInput(name: string, value: string): void {
  vi.stubEnv(inputEnvName(name), value);
}

function configurationError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('the runner contract', () => {
  it('upper-cases names, keeps dashes and turns spaces into underscores', () => {
    expect(inputEnvName('dry-run')).toBe('INPUT_DRY-RUN');
    expect(inputEnvName('tag prefix')).toBe('INPUT_TAG_PREFIX');
    setInput('dry-run', ' true ');
    expect(process.env['INPUT_DRY-RUN']).toBe(' true ');
    expect(readRawInput('dry-run')).toBe('true');
    expect(readRawInput('dry-run', false)).toBe(' true ');
  });

  it('treats unset, empty and blank inputs as not given', () => {
    expect(readRawInput('never-set')).toBeUndefined();
    setInput('blank', '  \n ');
    expect(readRawInput('blank')).toBeUndefined();
    expect(getStringInput('blank')).toBeUndefined();
    expect(getListInput('blank')).toBeUndefined();
    expect(getBooleanInput('blank')).toBeUndefined();
  });
});

describe('getStringInput', () => {
  it('returns text, the default, undefined, or fails when required', () => {
    setInput('name', '  hello world  ');
    expect(getStringInput('name')).toBe('hello world');
    expect(getStringInput('name', { trim: false })).toBe('  hello world  ');
    expect(getStringInput('missing', { default: 'fallback' })).toBe('fallback');
    expect(getStringInput('missing')).toBeUndefined();
    const error = configurationError(() => getStringInput('missing', { required: true }));
    expect(error.input).toBe('missing');
    expect(error.message).toBe('Input "missing" is required: set it to a non-empty text.');
  });

  it('types its result from the options', () => {
    setInput('name', 'x');
    setInput('url', 'https://example.com');
    expectTypeOf(getStringInput('name')).toEqualTypeOf<string | undefined>();
    expectTypeOf(getStringInput('name', { required: true })).toEqualTypeOf<string>();
    expectTypeOf(getStringInput('name', { default: 'y' })).toEqualTypeOf<string>();
    expectTypeOf(getIntegerInput('unset', { default: 3, min: 1 })).toEqualTypeOf<number>();
    expectTypeOf(getEnumInput('unset', ['patch', 'hotfix-suffix'], { default: 'patch' })).toEqualTypeOf<
      'patch' | 'hotfix-suffix'
    >();
    expectTypeOf(getEnumInput('unset', ['a', 'b'])).toEqualTypeOf<'a' | 'b' | undefined>();
    expectTypeOf(getUrlInput('url', { required: true })).toEqualTypeOf<URL>();
  });
});

describe('getBooleanInput', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['Yes', true],
    ['on', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['NO', false],
    ['off', false],
    ['0', false],
  ])('reads %j as %s', (raw, value) => {
    setInput('dry-run', raw);
    expect(getBooleanInput('dry-run')).toBe(value);
  });

  it('uses the default, and names the input and the accepted words on a bad value', () => {
    expect(getBooleanInput('dry-run', { default: false })).toBe(false);
    setInput('dry-run', 'maybe');
    const error = configurationError(() => getBooleanInput('dry-run', { default: false }));
    expect(error.input).toBe('dry-run');
    expect(error.message).toBe(
      'Input "dry-run" must be true or false (yes/no, on/off and 1/0 are accepted too), but got "maybe".',
    );
  });
});

describe('getEnumInput', () => {
  it('accepts allowed values in any case and returns the canonical spelling', () => {
    setInput('scheme', 'Hotfix-Suffix');
    expect(getEnumInput('scheme', ['patch', 'hotfix-suffix'])).toBe('hotfix-suffix');
    expect(getEnumInput('other', ['patch', 'hotfix-suffix'], { default: 'patch' })).toBe('patch');
  });

  it('lists what is allowed', () => {
    setInput('scheme', 'minor');
    const error = configurationError(() => getEnumInput('scheme', ['patch', 'hotfix-suffix']));
    expect(error.message).toBe('Input "scheme" must be one of "patch", "hotfix-suffix", but got "minor".');
  });
});

describe('getListInput', () => {
  it('splits on newlines and commas, trims and drops empty items', () => {
    setInput('targets', 'main,\n  develop , release/v1.3\n\n,, main\n');
    expect(getListInput('targets')).toEqual(['main', 'develop', 'release/v1.3', 'main']);
    expect(getListInput('targets', { unique: true })).toEqual(['main', 'develop', 'release/v1.3']);
  });

  it('splits on newlines only when asked, keeping commas inside items', () => {
    setInput('queries', 'sum(rate(a[5m])) by (x, y)\r\nrate(b[1m])');
    expect(getListInput('queries', { separator: 'newline' })).toEqual(['sum(rate(a[5m])) by (x, y)', 'rate(b[1m])']);
  });

  it('treats a list of separators as not given', () => {
    setInput('labels', ' , \n ,');
    expect(getListInput('labels')).toBeUndefined();
    expect(getListInput('labels', { default: ['hotfix'] })).toEqual(['hotfix']);
    const error = configurationError(() => getListInput('labels', { required: true }));
    expect(error.message).toContain('Input "labels" is required');
    expect(error.message).toContain('separated by commas');
  });
});

describe('getIntegerInput', () => {
  it('reads whole numbers within bounds', () => {
    setInput('max-attempts', '5');
    expect(getIntegerInput('max-attempts', { min: 1, max: 10 })).toBe(5);
    setInput('offset', '-3');
    expect(getIntegerInput('offset')).toBe(-3);
    setInput('offset', '+7');
    expect(getIntegerInput('offset')).toBe(7);
  });

  it.each([
    ['abc', 'a whole number between 1 and 10'],
    ['1.5', 'a whole number between 1 and 10'],
    ['1e3', 'a whole number between 1 and 10'],
    ['0x10', 'a whole number between 1 and 10'],
    ['0', 'a whole number between 1 and 10'],
    ['11', 'a whole number between 1 and 10'],
    ['99999999999999999999', 'a whole number between 1 and 10'],
  ])('rejects %j', (raw, accepts) => {
    setInput('max-attempts', raw);
    const error = configurationError(() => getIntegerInput('max-attempts', { min: 1, max: 10 }));
    expect(error.message).toBe(`Input "max-attempts" must be ${accepts}, but got ${JSON.stringify(raw)}.`);
  });

  it('describes one-sided ranges', () => {
    setInput('n', '-1');
    expect(configurationError(() => getIntegerInput('n', { min: 0 })).message).toContain('a whole number at least 0');
    setInput('n', '101');
    expect(configurationError(() => getIntegerInput('n', { max: 100 })).message).toContain(
      'a whole number at most 100',
    );
  });
});

describe('getNumberInput', () => {
  it('reads decimals and honours exclusive bounds', () => {
    setInput('alpha', '0.05');
    expect(getNumberInput('alpha', { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true })).toBe(0.05);
    setInput('alpha', '.5');
    expect(getNumberInput('alpha')).toBe(0.5);
    setInput('alpha', '1e-3');
    expect(getNumberInput('alpha')).toBe(0.001);
    setInput('alpha', '0');
    expect(getNumberInput('alpha', { min: 0, max: 1 })).toBe(0);
    const error = configurationError(() =>
      getNumberInput('alpha', { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true }),
    );
    expect(error.message).toBe('Input "alpha" must be a number greater than 0 and less than 1, but got "0".');
  });

  it.each(['', 'NaN', 'Infinity', '1,5', '5%', 'abc', '1.2.3', '--1'])('rejects %j', (raw) => {
    setInput('threshold', raw);
    if (raw === '') {
      expect(getNumberInput('threshold')).toBeUndefined();
      return;
    }
    expect(configurationError(() => getNumberInput('threshold')).message).toContain('must be a number');
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    ['1h 30m', 5_400_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['0.5m', 30_000],
    ['30', 30_000],
    ['0', 0],
    ['2.5', 2500],
    ['10S', 10_000],
    [' 2m ', 120_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '10x', '-5s', '30s1m', '1m1m', 's', '1.s', '10 seconds', '1h-30m', 'ms', '1e3s'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it('writes durations back in the form it reads', () => {
    for (const ms of [0, 1, 500, 1000, 90_000, 3_723_004, 86_400_000 + 1000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(-1500)).toBe('-1s500ms');
  });
});

describe('getDurationInput', () => {
  it('returns milliseconds within bounds', () => {
    setInput('interval', '1m30s');
    expect(getDurationInput('interval', { min: 1000, max: 3_600_000 })).toBe(90_000);
    expect(getDurationInput('timeout', { default: 600_000 })).toBe(600_000);
  });

  it('says what it accepts, with the bounds as durations', () => {
    setInput('interval', '2h');
    const error = configurationError(() => getDurationInput('interval', { min: 1000, max: 3_600_000 }));
    expect(error.message).toBe(
      'Input "interval" must be a duration such as 500ms, 10s, 2m, 1h or 1m30s (a bare number means seconds) ' +
        'between 1s and 1h, but got "2h".',
    );
  });
});

describe('getUrlInput', () => {
  it('returns a URL for http and https', () => {
    setInput('prometheus-url', 'http://127.0.0.1:9090/prom');
    const url = getUrlInput('prometheus-url', { required: true });
    expect(url).toBeInstanceOf(URL);
    expect(url.port).toBe('9090');
    expect(getUrlInput('missing', { default: new URL('https://example.com') })?.hostname).toBe('example.com');
  });

  it.each(['ftp://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'example.com', '/relative'])(
    'rejects %j',
    (raw) => {
      setInput('webhook-url', raw);
      const error = configurationError(() => getUrlInput('webhook-url'));
      expect(error.message).toBe(
        `Input "webhook-url" must be an absolute http or https URL such as http://example.com/path, but got ${JSON.stringify(raw)}.`,
      );
    },
  );

  it('accepts other schemes when asked', () => {
    setInput('endpoint', 'ssh://git@example.com/repo');
    expect(getUrlInput('endpoint', { protocols: ['ssh'] })?.protocol).toBe('ssh:');
  });

  it('never repeats a password inside a URL', () => {
    setInput('endpoint', 'ftp://user:hunter2@example.com/');
    const error = configurationError(() => getUrlInput('endpoint'));
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('ftp://user:***@example.com/');
  });
});

describe('secrets', () => {
  it('recognises secret-looking names', () => {
    for (const name of ['github-token', 'token', 'PASSWORD', 'client-secret', 'api-key', 'apikey', 'private_key']) {
      expect(isSecretInputName(name), name).toBe(true);
    }
    for (const name of ['dry-run', 'tag-prefix', 'keyword', 'monkey-patch']) {
      expect(isSecretInputName(name), name).toBe(false);
    }
  });

  it('never echoes the value of a secret input', () => {
    setInput('github-token', 'ghp_supersecretvalue');
    const error = configurationError(() => getEnumInput('github-token', ['a', 'b']));
    expect(error.message).not.toContain('ghp_supersecretvalue');
    expect(error.message).toContain('not shown because the input is secret');
    setInput('webhook', 'hunter2');
    expect(configurationError(() => getIntegerInput('webhook', { secret: true })).message).not.toContain('hunter2');
  });

  it('shortens very long values', () => {
    setInput('count', 'x'.repeat(5000));
    const error = configurationError(() => getIntegerInput('count'));
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain('…');
  });
});
