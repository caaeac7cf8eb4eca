import { ConfigurationError } from './errors.js';

/**
 * Options every input reader takes. An empty or unset input is "not given": it becomes `default`
 * when there is one, fails when `required`, and is `undefined` otherwise (never `''`).
 */
export interface InputOptions<T> {
  /** Fail with a ConfigurationError when the input is not given and there is no default. */
  required?: boolean;
  /** The value used when the input is not given. */
  default?: T;
  /** Never repeat the value in error messages (automatic for names like token, password, secret). */
  secret?: boolean;
}

/** What a reader returns: `T` when the input is required or has a default, otherwise `T | undefined`. */
export type InputResult<T, O> = O extends { required: true } ? T : O extends { default: T } ? T : T | undefined;

/** Bounds for numeric inputs. */
export interface RangeOptions {
  /** The smallest accepted value. */
  min?: number;
  /** The largest accepted value. */
  max?: number;
}

/** Options of {@link getStringInput}. */
export interface StringInputOptions extends InputOptions<string> {
  /** Remove surrounding whitespace (default true, as the runner's own toolkit does). */
  trim?: boolean;
}

/** Options of {@link getListInput}. */
export interface ListInputOptions extends InputOptions<string[]> {
  /** Split on newlines only, or on newlines and commas (the default). */
  separator?: 'newline' | 'newline-or-comma';
  /** Drop repeated items, keeping the first (default false). */
  unique?: boolean;
}

/** Options of {@link getIntegerInput}. */
export interface IntegerInputOptions extends InputOptions<number>, RangeOptions {}

/** Options of {@link getNumberInput}. */
export interface NumberInputOptions extends InputOptions<number>, RangeOptions {
  /** `min` itself is not accepted (a value must be greater than it). */
  exclusiveMin?: boolean;
  /** `max` itself is not accepted (a value must be less than it). */
  exclusiveMax?: boolean;
}

/** Options of {@link getDurationInput}; bounds are in milliseconds. */
export interface DurationInputOptions extends InputOptions<number>, RangeOptions {}

/** Options of {@link getUrlInput}. */
export interface UrlInputOptions extends InputOptions<URL> {
  /** Accepted schemes without the colon; default `['http', 'https']`. */
  protocols?: readonly string[];
}

const SECRET_NAME = /token|password|passwd|secret|credential|api[-_ ]?key|private[-_ ]?key/i;
const MAX_ECHO = 200;

/** The environment variable the runner passes an input in: `dry-run` → `INPUT_DRY-RUN` (dashes kept, spaces → `_`). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** True for input names whose values must never be shown (token, password, secret, credential, api-key …). */
export function isSecretInputName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The raw value of an input, trimmed unless `trim` is false, or undefined when it is unset or blank. */
export function readRawInput(name: string, trim = true): string | undefined {
  const value = process.env[inputEnvName(name)];
  if (value === undefined || value.trim() === '') return undefined;
  return trim ? value.trim() : value;
}

function shown(name: string, raw: string, secret: boolean | undefined): string {
  if (secret === true || isSecretInputName(name)) return 'a value that is not shown because the input is secret';
  const text = raw.length > MAX_ECHO ? `${raw.slice(0, MAX_ECHO)}…` : raw;
  return JSON.stringify(text);
}

function invalid(name: string, raw: string, accepts: string, secret: boolean | undefined): ConfigurationError {
  return new ConfigurationError(`Input "${name}" must be ${accepts}, but got ${shown(name, raw, secret)}.`, name);
}

function read<T>(
  name: string,
  options: InputOptions<T>,
  accepts: string,
  convert: (raw: string) => T | undefined,
  raw: string | undefined,
): T | undefined {
  if (raw === undefined) {
    if (options.default !== undefined) return options.default;
    if (options.required === true) {
      throw new ConfigurationError(`Input "${name}" is required: set it to ${accepts}.`, name);
    }
    return undefined;
  }
  const value = convert(raw);
  if (value === undefined) throw invalid(name, raw, accepts, options.secret);
  return value;
}

/** Reads a text input. */
export function getStringInput<O extends StringInputOptions = Record<never, never>>(
  name: string,
  options?: O,
): InputResult<string, O> {
  const opts: StringInputOptions = options ?? {};
  const raw = readRawInput(name, opts.trim ?? true);
  return read(name, opts, 'a non-empty text', (value) => value, raw) as InputResult<string, O>;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/** Reads a boolean input: true/false, yes/no, on/off or 1/0, in any case. */
export function getBooleanInput<O extends InputOptions<boolean> = Record<never, never>>(
  name: string,
  options?: O,
): InputResult<boolean, O> {
  return read(
    name,
    options ?? {},
    'true or false (yes/no, on/off and 1/0 are accepted too)',
    (raw) => {
      const word = raw.toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
    },
    readRawInput(name),
  ) as InputResult<boolean, O>;
}

/** Reads an input that must be one of `allowed` (matched without regard to case; returns the spelling in `allowed`). */
export function getEnumInput<const T extends string, O extends InputOptions<NoInfer<T>> = Record<never, never>>(
  name: string,
  allowed: readonly T[],
  options?: O,
): InputResult<T, O> {
  const accepts = allowed.length === 1 ? `"${allowed[0]}"` : `one of ${allowed.map((a) => `"${a}"`).join(', ')}`;
  return read(
    name,
    options ?? {},
    accepts,
    (raw) =>
      allowed.find((value) => value === raw) ?? allowed.find((value) => value.toLowerCase() === raw.toLowerCase()),
    readRawInput(name),
  ) as InputResult<T, O>;
}

/**
 * Reads a list input: items separated by newlines (and commas, unless `separator` is `newline`), trimmed,
 * empty items dropped. A list with no items counts as not given.
 */
export function getListInput<O extends ListInputOptions = Record<never, never>>(
  name: string,
  options?: O,
): InputResult<string[], O> {
  const opts: ListInputOptions = options ?? {};
  const splitter = opts.separator === 'newline' ? /\r?\n/ : /\r?\n|,/;
  const raw = readRawInput(name);
  let items = raw === undefined ? [] : raw.split(splitter).map((item) => item.trim());
  items = items.filter((item) => item !== '');
  if (opts.unique === true) items = [...new Set(items)];
  const accepts =
    opts.separator === 'newline'
      ? 'a list with one item per line'
      : 'a list with one item per line or items separated by commas';
  return read(name, opts, accepts, () => items, items.length === 0 ? undefined : raw) as InputResult<string[], O>;
}

function describeRange(
  range: RangeOptions,
  exclusiveMin = false,
  exclusiveMax = false,
  unit: (value: number) => string = String,
): string {
  const { min, max } = range;
  if (min !== undefined && max !== undefined) {
    if (!exclusiveMin && !exclusiveMax) return ` between ${unit(min)} and ${unit(max)}`;
    return ` ${exclusiveMin ? 'greater than' : 'at least'} ${unit(min)} and ${exclusiveMax ? 'less than' : 'at most'} ${unit(max)}`;
  }
  if (min !== undefined) return ` ${exclusiveMin ? 'greater than' : 'at least'} ${unit(min)}`;
  if (max !== undefined) return ` ${exclusiveMax ? 'less than' : 'at most'} ${unit(max)}`;
  return '';
}

function inRange(value: number, range: RangeOptions, exclusiveMin = false, exclusiveMax = false): boolean {
  if (range.min !== undefined && (exclusiveMin ? value <= range.min : value < range.min)) return false;
  if (range.max !== undefined && (exclusiveMax ? value >= range.max : value > range.max)) return false;
  return true;
}

/** Reads a whole number (decimal digits with an optional sign), optionally within `min`..`max` inclusive. */
export function getIntegerInput<O extends IntegerInputOptions = Record<never, never>>(
  name: string,
  options?: O,
): InputResult<number, O> {
  const opts: IntegerInputOptions = options ?? {};
  return read(
    name,
    opts,
    `a whole number${describeRange(opts)}`,
    (raw) => {
      if (!/^[+-]?\d+$/.test(raw)) return undefined;
      const value = Number(raw);
      return Number.isSafeInteger(value) && inRange(value, opts) ? value : undefined;
    },
    readRawInput(name),
  ) as InputResult<number, O>;
}

/** Reads a decimal number (`0.5`, `-2`, `1e-3`), optionally within bounds that may each be exclusive. */
export function getNumberInput<O extends NumberInputOptions = Record<never, never>>(
  name: string,
  options?: O,
): InputResult<number, O> {
  const opts: NumberInputOptions = options ?? {};
  const accepts = `a number${describeRange(opts, opts.exclusiveMin, opts.exclusiveMax)}`;
  return read(
    name,
    opts,
    accepts,
    (raw) => {
      if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(raw)) return undefined;
      const value = Number(raw);
      return Number.isFinite(value) && inRange(value, opts, opts.exclusiveMin, opts.exclusiveMax) ? value : undefined;
    },
    readRawInput(name),
  ) as InputResult<number, O>;
}

const DURATION_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const DURATION_ORDER = ['d', 'h', 'm', 's', 'ms'];
const DURATION_PART = /(\d+(?:\.\d+)?)\s*(ms|[dhms])\s*/gy;

/**
 * Parses a duration into milliseconds: a number with a unit (`500ms`, `10s`, `2m`, `1h`, `1d`, decimals
 * such as `1.5s` allowed), or several from largest to smallest unit (`1m30s`, `1h 30m`). A bare number
 * means seconds (`30` = 30 s), as timeouts are usually written. Units are case-insensitive. The result
 * is rounded to whole milliseconds; undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (trimmed === '') return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let lastUnit = -1;
  while (DURATION_PART.lastIndex < trimmed.length) {
    const match = DURATION_PART.exec(trimmed);
    if (match === null) return undefined;
    const [, amount = '', unit = ''] = match;
    const rank = DURATION_ORDER.indexOf(unit);
    // Each unit at most once and largest first, so `30s1m` or `1m1m` are rejected as likely typos.
    if (rank <= lastUnit) return undefined;
    lastUnit = rank;
    total += Number(amount) * (DURATION_UNITS[unit] ?? Number.NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Writes milliseconds the way {@link parseDuration} reads them: 90000 → `1m30s`, 500 → `500ms`, 0 → `0s`. */
export function formatDuration(milliseconds: number): string {
  let rest = Math.round(Math.abs(milliseconds));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const unit of DURATION_ORDER) {
    const size = DURATION_UNITS[unit] ?? 1;
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount}${unit}`);
    rest -= amount * size;
  }
  return `${milliseconds < 0 ? '-' : ''}${parts.join('')}`;
}

/** Reads a duration (see {@link parseDuration}) in milliseconds, optionally within `min`..`max` milliseconds. */
export function getDurationInput<O extends DurationInputOptions = Record<never, never>>(
  name: string,
  options?: O,
): InputResult<number, O> {
  const opts: DurationInputOptions = options ?? {};
  const accepts =
    `a duration such as 500ms, 10s, 2m, 1h or 1m30s (a bare number means seconds)` +
    describeRange(opts, false, false, formatDuration);
  return read(
    name,
    opts,
    accepts,
    (raw) => {
      const value = parseDuration(raw);
      return value !== undefined && inRange(value, opts) ? value : undefined;
    },
    readRawInput(name),
  ) as InputResult<number, O>;
}

/** Reads an absolute URL whose scheme is one of `protocols` (http and https by default). */
export function getUrlInput<O extends UrlInputOptions = Record<never, never>>(
  name: string,
  options?: O,
): InputResult<URL, O> {
  const opts: UrlInputOptions = options ?? {};
  const protocols = (opts.protocols ?? ['http', 'https']).map((p) => p.replace(/:$/, '').toLowerCase());
  const accepts = `an absolute ${protocols.join(' or ')} URL such as ${protocols[0] ?? 'https'}://example.com/path`;
  const raw = readRawInput(name);
  // A URL may carry a password: never repeat it, even when the rest of the URL is shown.
  let url: URL | undefined;
  try {
    url = raw === undefined ? undefined : new URL(raw);
  } catch {
    url = undefined;
  }
  const echo = url !== undefined && url.password !== '' ? redactUrl(url) : raw;
  return read(
    name,
    opts,
    accepts,
    () => (url !== undefined && protocols.includes(url.protocol.slice(0, -1)) ? url : undefined),
    echo,
  ) as InputResult<URL, O>;
}

function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}
