// The local side of a download: the final file, its `.part` (named after the remote size and
// time, so a part of another version of the file is never resumed), and every fs failure as a
// PaymentError.
import { open, readdir, rename, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok } from 'neverthrow';
import { PaymentErrors, type PayResult } from '@paykit/core';
import type { RemoteEntry } from './session.js';

/** Runs a local file operation; a failure is an `InvalidConfig` about `localDir`. */
export async function local<T>(what: string, fn: () => Promise<T>): Promise<PayResult<T>> {
  try {
    return ok(await fn());
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'error';
    return err(PaymentErrors.invalidConfig(`${what} failed (${code}): check that localDir exists, is writable and has space`, { path: 'localDir', cause: e }));
  }
}

/** The `.part` name of one version (size and time) of a remote file. */
export function partName(entry: RemoteEntry): string {
  return `${entry.name}.${entry.size}-${entry.mtime}.part`;
}

/** Whether the final file is there already, with the remote size and time (set when it was completed). */
export async function alreadyComplete(dir: string, entry: RemoteEntry): Promise<boolean> {
  try {
    const s = await stat(join(dir, entry.name));
    return s.isFile() && s.size === entry.size && Math.floor(s.mtimeMs / 1000) === entry.mtime;
  } catch {
    return false;
  }
}

/** Removes `.part` files of other versions of this file (a remote file replaced since). */
export function removeStaleParts(dir: string, entry: RemoteEntry): Promise<PayResult<void>> {
  return local(`cleaning old parts of ${entry.name}`, async () => {
    const keep = partName(entry);
    for (const name of await readdir(dir)) {
      if (name !== keep && name.startsWith(`${entry.name}.`) && name.endsWith('.part') && /^\d+-\d+\.part$/.test(name.slice(entry.name.length + 1))) {
        await unlink(join(dir, name));
      }
    }
  });
}

/** An open `.part` file, appended to, and how many bytes it held when opened. */
export interface PartFile {
  /** Append-only handle. */
  readonly handle: FileHandle;
  /** Path of the part. */
  readonly path: string;
  /** Bytes already there: where the download resumes. */
  readonly resumeAt: number;
}

/** Opens (or creates) the part of a file; a part longer than the remote file is started over. */
export function openPart(dir: string, entry: RemoteEntry): Promise<PayResult<PartFile>> {
  const path = join(dir, partName(entry));
  return local(`opening ${path}`, async () => {
    const handle = await open(path, 'a');
    try {
      let resumeAt = (await handle.stat()).size;
      if (resumeAt > entry.size) {
        await handle.truncate(0);
        resumeAt = 0;
      }
      return { handle, path, resumeAt };
    } catch (e) {
      await handle.close();
      throw e;
    }
  });
}

/** Flushes the part to disk, renames it to its final name (atomic within a directory) and stamps the remote time. */
export function completePart(part: PartFile, dir: string, entry: RemoteEntry): Promise<PayResult<string>> {
  const path = join(dir, entry.name);
  return local(`completing ${path}`, async () => {
    try {
      await part.handle.sync();
    } finally {
      await part.handle.close();
    }
    await rename(part.path, path);
    await utimes(path, entry.mtime, entry.mtime);
    return path;
  });
}

/** Closes and deletes a part that cannot be resumed (the remote file changed). */
export async function discardPart(part: PartFile): Promise<void> {
  await part.handle.close().catch(() => undefined);
  await unlink(part.path).catch(() => undefined);
}
