// Which listed files belong to a settlement day or a month, by name only (spec 5.1, 5.3, 5.5).
import { statementFileKind, type StatementFileFamily, type StatementFileKind } from '@paykit/provider-lianlian-web';
import type { RemoteEntry } from './session.js';

/** A listed file chosen for download, with what its name says. */
export interface SelectedFile {
  /** The listing entry. */
  readonly entry: RemoteEntry;
  /** Family, period, merchant and days, from the name. */
  readonly kind: StatementFileKind;
}

/** What to select: one merchant, one day (`YYYYMMDD`, daily files) or month (`YYYYMM`, monthly files). */
export interface FileSelection {
  /** 18-digit `oid_partner`. */
  readonly partnerId: string;
  /** `YYYYMMDD` or `YYYYMM`. */
  readonly period: string;
  /** Families to take. */
  readonly families: ReadonlySet<StatementFileFamily>;
}

/** Whether a classified file is one of the selection's. A month selects the monthly files, not the month's daily ones. */
export function matchesSelection(kind: StatementFileKind, s: FileSelection): boolean {
  if (kind.partnerId !== s.partnerId || !s.families.has(kind.family)) return false;
  return s.period.length === 8
    ? kind.period === 'daily' && kind.from === s.period
    : kind.period === 'monthly' && kind.from.slice(0, 6) === s.period;
}

/**
 * The regular files of a listing that the selection names, in name order. A file listed under
 * both suffixes (spec 5, revision 1.9: `.txt` or `.csv`) is taken once, as `.csv`: reading both
 * would count every line twice.
 */
export function selectStatementFiles(entries: readonly RemoteEntry[], s: FileSelection): SelectedFile[] {
  const byFile = new Map<string, SelectedFile>();
  for (const entry of entries) {
    if (!entry.isFile) continue;
    const kind = statementFileKind(entry.name);
    if (kind.isErr() || !matchesSelection(kind.value, s)) continue;
    const key = `${kind.value.family} ${kind.value.period} ${kind.value.from}`;
    const seen = byFile.get(key);
    if (seen === undefined || /\.csv$/i.test(entry.name)) byFile.set(key, { entry, kind: kind.value });
  }
  return [...byFile.values()].sort((a, b) => (a.entry.name < b.entry.name ? -1 : a.entry.name > b.entry.name ? 1 : 0));
}
