// Reading the tracker file in one piece, and replacing it so that it is never half-written: a
// crash or a full disk mid-write would otherwise truncate every issue after the cut.
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseBeadsJsonl, type BeadsJsonlDocument, type BeadsJsonlParseOptions } from './jsonl.js';

/**
 * Reads and parses an `issues.jsonl` (see {@link parseBeadsJsonl}); errors name the file by
 * `options.name`, else by `path`. The bytes are read into one buffer sized from the file, so a
 * large file costs its size in memory once. bd replaces the file by renaming, so the open handle
 * sees one consistent version.
 */
export async function readBeadsJsonl(path: string, options: BeadsJsonlParseOptions = {}): Promise<BeadsJsonlDocument> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    // allocUnsafe: every byte is overwritten by the read, and zero-filling 50 MB is measurable.
    const buffer = Buffer.allocUnsafe(size);
    let length = 0;
    while (length < size) {
      const { bytesRead } = await handle.read(buffer, length, size - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return parseBeadsJsonl(buffer.subarray(0, length), { name: options.name ?? path });
  } finally {
    await handle.close();
  }
}

/** Options for {@link beadsWriteFileAtomic}. */
export interface BeadsAtomicWriteOptions {
  /** Flush the data (and the directory entry) to disk before returning (default true). */
  readonly fsync?: boolean;
  /** Permission bits of the new file (default: those of the file replaced, else 0o644). */
  readonly mode?: number;
}

/**
 * Replaces `path` with `data` atomically: writes a temporary file in the same directory, flushes
 * it, then renames it over the target, so readers see the old file or the new one, never a mix.
 * A symlinked target is resolved so the link itself survives. On failure the temporary file is
 * removed and the original is untouched.
 */
export async function beadsWriteFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
  options: BeadsAtomicWriteOptions = {},
): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const directory = dirname(target);
  const temporary = join(directory, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let mode = options.mode;
  if (mode === undefined) {
    try {
      mode = (await stat(target)).mode & 0o7777;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  const sync = options.fsync ?? true;
  const handle = await open(temporary, 'wx', mode ?? 0o644);
  let closed = false;
  try {
    await writeAll(handle, chunks);
    // The umask narrows the mode given to open(); an existing file's bits are restored exactly.
    if (mode !== undefined) await handle.chmod(mode);
    if (sync) await handle.sync();
    await handle.close();
    closed = true;
    await rename(temporary, target);
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  if (sync) await syncDirectory(directory);
}

/** Writes every chunk in order, in one writev call when the kernel takes it all (the usual case). */
async function writeAll(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  let written = chunks.length > 0 && chunks.length <= 1024 ? (await handle.writev([...chunks])).bytesWritten : 0;
  if (written === total) return;
  // A short write (or very many chunks): finish chunk by chunk from where it stopped.
  for (const chunk of chunks) {
    if (written >= chunk.length) {
      written -= chunk.length;
      continue;
    }
    for (let offset = written; offset < chunk.length;) {
      const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
    written = 0;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms (Windows) cannot open or flush a directory; the rename itself is still atomic.
  }
}
