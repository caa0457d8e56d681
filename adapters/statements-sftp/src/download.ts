// Downloads one remote file into its `.part`, from where the part ends, with a few reads in
// flight, then checks the size against the listing and renames the part to its final name.
import { posix } from 'node:path';
import { err, ok } from 'neverthrow';
import { PaymentErrors, type PayResult } from '@paykit/core';
import { completePart, discardPart, local, openPart, type PartFile } from './local-files.js';
import type { RemoteEntry, RemoteHandle, SftpSession } from './session.js';

/** What one download did. */
export interface DownloadOutcome {
  /** Local path of the complete file. */
  readonly path: string;
  /** Where this download started in the file (non-zero when it resumed a part). */
  readonly resumedFrom: number;
}

/** How to read. */
export interface ReadPlan {
  /** Bytes per SFTP read. */
  readonly readSize: number;
  /** Reads in flight. */
  readonly readsInFlight: number;
}

/** The error for a file that changed on the server between the listing and the end of its download. */
export function changedRemotely(entry: RemoteEntry, now: { size: number; mtime: number }): PayResult<never> {
  return err(PaymentErrors.conflict(
    `${entry.name} changed on the server while it was downloaded (listed ${entry.size} bytes, mtime ${entry.mtime}; now ${now.size} bytes, mtime ${now.mtime}): `
    + 'LianLian may still be writing it; nothing was kept, fetch it again later',
    { retryable: true, path: entry.name },
  ));
}

interface PendingRead {
  readonly position: number;
  readonly buffer: Buffer;
  readonly result: Promise<PayResult<number>>;
}

/**
 * Copies the remote file from `part.resumeAt` to its end into the part. Returns the bytes the
 * part holds at the end; a short read (allowed by SFTP) drops the reads issued after it and asks
 * again from where the data stopped.
 */
async function copyToPart(session: SftpSession, remote: RemoteHandle, path: string, part: PartFile, limit: number, plan: ReadPlan): Promise<PayResult<number>> {
  let written = part.resumeAt;
  let next = written;
  let pending: PendingRead[] = [];
  for (;;) {
    while (pending.length < plan.readsInFlight && next <= limit) {
      const buffer = Buffer.allocUnsafe(plan.readSize);
      pending.push({ position: next, buffer, result: session.read(remote.handle, path, buffer, plan.readSize, next) });
      next += plan.readSize;
    }
    const head = pending.shift();
    if (head === undefined) return ok(written);
    const n = await head.result;
    if (n.isErr()) return err(n.error);
    if (n.value === 0) return ok(written);
    const saved = await local(`writing ${part.path}`, () => part.handle.write(head.buffer, 0, n.value));
    if (saved.isErr()) return err(saved.error);
    written += n.value;
    // Past the listed size the file has grown: stop, the caller reports the change.
    if (written > limit) return ok(written);
    if (n.value < plan.readSize) {
      pending = [];
      next = written;
    }
  }
}

/** Downloads one listed file into `dir`, resuming its part; the file is renamed into place only when complete and unchanged. */
export async function downloadFile(session: SftpSession, remoteDir: string, dir: string, entry: RemoteEntry, plan: ReadPlan): Promise<PayResult<DownloadOutcome>> {
  const path = posix.join(remoteDir, entry.name);
  const part = await openPart(dir, entry);
  if (part.isErr()) return err(part.error);
  let done = false;
  try {
    const remote = await session.openRead(path);
    if (remote.isErr()) return err(remote.error);
    try {
      if (remote.value.size !== entry.size || remote.value.mtime !== entry.mtime) {
        await discardPart(part.value);
        done = true;
        return changedRemotely(entry, remote.value);
      }
      const written = await copyToPart(session, remote.value, path, part.value, entry.size, plan);
      if (written.isErr()) return err(written.error);
      const now = await session.stat(remote.value.handle, path);
      if (now.isErr()) return err(now.error);
      if (written.value !== entry.size || now.value.size !== entry.size || now.value.mtime !== entry.mtime) {
        await discardPart(part.value);
        done = true;
        return changedRemotely(entry, { size: Math.max(written.value, now.value.size), mtime: now.value.mtime });
      }
    } finally {
      await session.closeFile(remote.value.handle);
    }
    done = true;
    const completed = await completePart(part.value, dir, entry);
    return completed.map((p) => ({ path: p, resumedFrom: part.value.resumeAt }));
  } finally {
    // A dropped connection leaves the part for the next attempt to resume.
    if (!done) await part.value.handle.close().catch(() => undefined);
  }
}
