import { readFileSync } from 'node:fs';

/**
 * The payload of the event that started the run (the JSON file at `GITHUB_EVENT_PATH`), typed by
 * the caller as the parts it reads; `{}` when there is none or it is not a JSON object, so an
 * action run by hand still gets its defaults.
 */
export function readRunnerEvent<T extends object>(): Partial<T> {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Partial<T>) : {};
  } catch {
    return {};
  }
}
