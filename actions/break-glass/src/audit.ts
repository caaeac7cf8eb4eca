import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RETRY_BASE_ENV, createGitClient, errorMessage, isHttpStatus, type GitHubClient } from '@hotfix-actions/core';
import type { AuditBranchTarget } from './inputs.js';
import { auditComment, auditCommentKey, auditCommitMessage, auditLine, type AuditRecord } from './record.js';

/** A durable place an audit record is written to. */
export interface AuditWriter {
  /** For logs and the summary: `issue #12`, `branch audit (contents API)`. */
  readonly name: string;
  /** Writes the record and returns a URL where it can be seen. */
  write(record: AuditRecord): Promise<string>;
}

/** The outcome of one write. */
export interface AuditResult {
  target: string;
  ok: boolean;
  url?: string;
  error?: string;
}

/** How many times an append is tried when another run writes the audit branch at the same moment. */
const APPEND_ATTEMPTS = 5;

/** A short pause before the next append attempt, longer each time and jittered so racing runs spread out. */
function pause(attempt: number): Promise<void> {
  const unit = Number(process.env[RETRY_BASE_ENV]) > 0 ? Number(process.env[RETRY_BASE_ENV]) : 1000;
  const ms = unit * attempt * (0.2 + Math.random() * 0.3);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes the record to each target in turn; a failure of one never skips the others. */
export async function writeAudit(record: AuditRecord, writers: readonly AuditWriter[]): Promise<AuditResult[]> {
  const results: AuditResult[] = [];
  for (const writer of writers) {
    try {
      results.push({ target: writer.name, ok: true, url: await writer.write(record) });
    } catch (error) {
      results.push({ target: writer.name, ok: false, error: describeWriteError(error) });
    }
  }
  return results;
}

function describeWriteError(error: unknown): string {
  const status = (error as { status?: unknown })?.status;
  const message = errorMessage(error).split('\n')[0]!.slice(0, 300);
  return typeof status === 'number' ? `HTTP ${status}: ${message}` : message;
}

/** How many times at most an audit comment is posted while the posts end in a lost answer or a server error. */
const COMMENT_ATTEMPTS = 4;

/** A network error (no answer, or one Octokit reports as 500) or a server error: the post may have happened. */
function mayHaveWritten(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status;
  return typeof status !== 'number' || status >= 500;
}

/**
 * An audit comment on an issue (or pull request). The client's own retries are off for the post: a
 * post whose answer is lost may have been written, so before posting again the issue's recent
 * comments are searched for the record's hidden key, and a record found there is not written twice.
 */
export function issueCommentWriter(github: GitHubClient, owner: string, repo: string, issue: number): AuditWriter {
  const find = async (key: string, since: string): Promise<string | undefined> => {
    const comments = await github.paginate(github.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issue,
      since,
      per_page: 100,
    });
    return comments.find((comment) => comment.body?.includes(key))?.html_url;
  };
  return {
    name: `issue #${issue}`,
    async write(record) {
      const body = auditComment(record);
      const key = auditCommentKey(record);
      // Only comments changed since shortly before the first post can be ours; the margin covers clock skew.
      const since = new Date(Date.now() - 10 * 60 * 1000).toISOString();
      for (let attempt = 1; ; attempt++) {
        try {
          const { data } = await github.rest.issues.createComment({
            owner,
            repo,
            issue_number: issue,
            body,
            request: { retries: 0 },
          });
          return data.html_url;
        } catch (error) {
          if (!mayHaveWritten(error)) throw error;
          await pause(attempt);
          const written = await find(key, since);
          if (written) return written;
          if (attempt >= COMMENT_ATTEMPTS) throw error;
        }
      }
    },
  };
}

function appendLine(existing: string, line: string): string {
  const base = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
  return `${base}${line}\n`;
}

/**
 * A JSONL line appended through the contents API. The update names the blob it replaces, so a
 * concurrent append makes GitHub refuse it (409) and the line is appended again to the new file.
 * A missing branch is created from the default branch's tip.
 */
export function contentsApiWriter(
  github: GitHubClient,
  owner: string,
  repo: string,
  target: AuditBranchTarget,
): AuditWriter {
  const readFile = async (): Promise<{ text: string; sha?: string } | 'no-branch'> => {
    try {
      const { data } = await github.rest.repos.getContent({ owner, repo, path: target.path, ref: target.branch });
      if (Array.isArray(data) || data.type !== 'file') throw new Error(`${target.path} is not a file`);
      const file = data as { content?: string; encoding?: string; sha: string; size: number };
      if (file.encoding !== 'base64' || (file.size > 0 && !file.content)) {
        // Above 1 MB the contents API returns no content: the log must be rotated, not truncated.
        throw new Error(
          `${target.path} is ${file.size} bytes, too large for the contents API: start a new file with audit-path.`,
        );
      }
      return { text: Buffer.from(file.content ?? '', 'base64').toString('utf8'), sha: file.sha };
    } catch (error) {
      if (!isHttpStatus(error, 404)) throw error;
    }
    try {
      await github.rest.git.getRef({ owner, repo, ref: `heads/${target.branch}` });
      return { text: '' };
    } catch (error) {
      if (isHttpStatus(error, 404)) return 'no-branch';
      throw error;
    }
  };

  const createBranch = async (): Promise<void> => {
    const { data: repository } = await github.rest.repos.get({ owner, repo });
    const { data: base } = await github.rest.git.getRef({ owner, repo, ref: `heads/${repository.default_branch}` });
    try {
      await github.rest.git.createRef({ owner, repo, ref: `refs/heads/${target.branch}`, sha: base.object.sha });
    } catch (error) {
      // Another run created it first: exactly what was wanted.
      if (!isHttpStatus(error, 422)) throw error;
    }
  };

  return {
    name: `branch ${target.branch} (contents API)`,
    async write(record) {
      let lastError: unknown;
      for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
        let file = await readFile();
        if (file === 'no-branch') {
          await createBranch();
          file = await readFile();
          if (file === 'no-branch') throw new Error(`branch ${target.branch} could not be created`);
        }
        try {
          const { data } = await github.rest.repos.createOrUpdateFileContents({
            owner,
            repo,
            path: target.path,
            branch: target.branch,
            message: auditCommitMessage(record),
            content: Buffer.from(appendLine(file.text, auditLine(record)), 'utf8').toString('base64'),
            ...(file.sha ? { sha: file.sha } : {}),
          });
          return data.commit.html_url ?? data.content?.html_url ?? '';
        } catch (error) {
          // 409: the file changed since it was read; 422: it was created since (no sha given).
          if (!isHttpStatus(error, 409) && !isHttpStatus(error, 422)) throw error;
          lastError = error;
          await pause(attempt);
        }
      }
      throw new Error(
        `other runs kept changing ${target.path} on ${target.branch}; gave up after ${APPEND_ATTEMPTS} attempts ` +
          `(${describeWriteError(lastError)})`,
      );
    },
  };
}

/**
 * A JSONL line appended by a commit pushed from the checkout. The commit is built with git plumbing
 * in a private index, so the checkout's branch, index and working tree are never touched; a missing
 * branch starts as an orphan holding only the audit file. A rejected push (another run appended
 * first) fetches the new tip and appends again.
 */
export function gitBranchWriter(workspace: string, target: AuditBranchTarget, webBase: string): AuditWriter {
  return {
    name: `branch ${target.branch} (git push)`,
    async write(record) {
      if (!existsSync(join(workspace, '.git'))) {
        throw new Error(
          `audit-method git needs a checkout in GITHUB_WORKSPACE (${workspace}): add actions/checkout before this step`,
        );
      }
      const temp = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'break-glass-'));
      const git = createGitClient({ cwd: workspace, env: { GIT_INDEX_FILE: join(temp, 'index') } });
      const privateRef = 'refs/hotfix-actions/break-glass-audit';
      try {
        for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
          const remote = await git.lsRemote({ scope: 'heads', patterns: [`refs/heads/${target.branch}`] });
          const tip = remote.find((ref) => ref.name === `refs/heads/${target.branch}`)?.sha;
          let existing = '';
          if (tip) {
            await git.fetch({ refspecs: [`+refs/heads/${target.branch}:${privateRef}`] });
            const shown = await git.raw(['cat-file', 'blob', `${tip}:${target.path}`], { okExitCodes: [0, 128] });
            existing = shown.exitCode === 0 ? shown.stdout : '';
            await git.raw(['read-tree', tip]);
          } else {
            await git.raw(['read-tree', '--empty']);
          }
          const blob = (
            await git.raw(['hash-object', '-w', '--stdin'], { input: appendLine(existing, auditLine(record)) })
          ).stdout.trim();
          await git.raw(['update-index', '--add', '--cacheinfo', `100644,${blob},${target.path}`]);
          const tree = (await git.raw(['write-tree'])).stdout.trim();
          const parents = tip ? ['-p', tip] : [];
          const commit = (
            await git.raw(['commit-tree', tree, ...parents, '-F', '-'], { input: auditCommitMessage(record) })
          ).stdout.trim();
          const pushed = await git.push({ refspecs: [`${commit}:refs/heads/${target.branch}`] });
          if (pushed.ok) return `${webBase}/blob/${commit}/${target.path}`;
          await pause(attempt);
        }
        throw new Error(
          `other runs kept pushing to ${target.branch}; gave up after ${APPEND_ATTEMPTS} attempts to append the audit line`,
        );
      } finally {
        await git.raw(['update-ref', '-d', privateRef], { okExitCodes: [0, 1] }).catch(() => undefined);
        await rm(temp, { recursive: true, force: true });
      }
    },
  };
}
