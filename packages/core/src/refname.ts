import { ConfigurationError } from './errors.js';

/**
 * Why `name` is not a valid git ref name (the rules of `git check-ref-format`), or undefined
 * when it is valid. Stricter than git in one way: whitespace and shell metacharacters are refused
 * too, so a ref name can never carry an injection into a log, a URL or a command.
 */
export function refNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > 255) return 'it is longer than 255 characters';
  if (name === '@') return 'it is "@"';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name.startsWith('/') || name.endsWith('/')) return 'it starts or ends with "/"';
  if (name.endsWith('.')) return 'it ends with "."';
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('//')) return 'it contains "//"';
  if (name.includes('@{')) return 'it contains "@{"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(name)) return 'it contains a space or a control character';
  const bad = /[~^:?*[\\$`;&|<>()'"!#{}]/.exec(name);
  if (bad) return `it contains "${bad[0]}"`;
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `the part "${component}" starts with "."`;
    if (component.endsWith('.lock')) return `the part "${component}" ends with ".lock"`;
  }
  return undefined;
}

/** True when `name` is a valid ref name under {@link refNameProblem}'s rules. */
export function isValidRefName(name: string): boolean {
  return refNameProblem(name) === undefined;
}

/**
 * Returns `name` when it is a valid branch or tag name; otherwise throws a ConfigurationError
 * that names `input` and says what is wrong.
 */
export function assertRefName(name: string, input: string): string {
  const problem = refNameProblem(name);
  if (problem !== undefined) {
    throw new ConfigurationError(
      `Input "${input}" must be a valid git branch or tag name, but ${JSON.stringify(name)} is not: ${problem}. ` +
        'Use letters, digits, "-", "_", "." and "/" (for example release/v1.2 or hotfix/bd-a1b2-fix-login).',
      input,
    );
  }
  return name;
}
