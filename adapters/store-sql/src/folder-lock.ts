import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { err, ok } from 'neverthrow';
import { PaymentErrors, type PayResult } from '@paykit/core';

/** The lock file a PGlite data folder's one writer keeps inside it. */
export const FOLDER_LOCK_FILE = 'paykit.lock';

/** Who holds a data folder: written to the lock file as JSON. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  /** Tells two locks of one pid apart (a lock taken over is never mistaken for the one it replaced). */
  readonly tag: string;
}

/** A held data folder lock. */
export interface FolderLock {
  /** Removes the lock file, when it is still this lock's. */
  release(): void;
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.tag === 'string' ? h as Holder : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process of this host with that id exists (EPERM: it does, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the lock file only if none exists, complete from its first instant: written aside, then
 * hard-linked into place (a link fails when the name exists), so a reader never sees it half written.
 */
function createExclusive(file: string, holder: Holder): boolean {
  const aside = `${file}.${holder.tag}`;
  writeFileSync(aside, JSON.stringify(holder), { flag: 'wx' });
  try {
    linkSync(aside, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(aside);
  }
}

/**
 * Moves a dead holder's lock aside, when the file still is the lock that was read: a rename is
 * atomic, so of two processes taking over at once only one removes it; one that finds a fresh
 * lock in its hands puts it back.
 */
function removeStale(file: string, stale: Holder): void {
  const aside = `${file}.${randomUUID()}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (readHolder(aside)?.tag !== stale.tag) {
    try {
      linkSync(aside, file);
    } catch {
      // Someone else's lock is in place already.
    }
  }
  unlinkSync(aside);
}

function refused(dir: string, file: string, holder: Holder | undefined): PayResult<never> {
  const who = holder === undefined ? 'another process (its lock file cannot be read)'
    : holder.pid === process.pid && holder.host === hostname() ? `this process (pid ${holder.pid}): close the store it opened first, or share that one`
      : `process ${holder.pid} on ${holder.host}, since ${holder.since}`;
  return err(PaymentErrors.invalidConfig(
    `the PGlite data folder ${dir} is open in ${who}. A PGlite folder has one writer: a second one loses the first one's writes. `
    + 'Run paykit in one process on it (resolvePending from the application itself, or stop the application while `paykit resolve-pending` runs), '
    + 'or use PostgreSQL (store kind "postgres") for several processes. '
    + `If no process holds it (the holder's machine is gone), remove ${file}.`,
    { path: 'store.dataDir' },
  ));
}

/**
 * Takes the lock of a PGlite data folder for this process: a lock file inside it
 * ({@link FOLDER_LOCK_FILE}, holding pid, host and a tag) created exclusively. A lock left by a
 * process of this host that no longer runs (killed, crashed) is taken over; one held by a live
 * process, this one included, or by another host, is refused with `InvalidConfig` naming the folder.
 */
export function lockDataFolder(dir: string): PayResult<FolderLock> {
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(realpathSync(dir), FOLDER_LOCK_FILE);
    const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), tag: randomUUID() };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (createExclusive(file, me)) {
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          process.off('exit', release);
          try {
            if (readHolder(file)?.tag === me.tag) unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        };
        // A process that ends without closing its store leaves no lock behind either.
        process.on('exit', release);
        return ok({ release });
      }
      const holder = readHolder(file);
      if (holder === undefined || holder.host !== hostname() || alive(holder.pid)) return refused(dir, file, holder);
      removeStale(file, holder);
    }
    return refused(dir, file, readHolder(file));
  } catch (e) {
    return err(PaymentErrors.invalidConfig(`cannot lock the PGlite data folder ${dir}: ${(e as Error).message}`, { path: 'store.dataDir' }));
  }
}
