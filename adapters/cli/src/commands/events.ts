import { err, ok, type Result } from 'neverthrow';
import type { Paykit, PaykitEvent } from '@paykit/core';
import { stringOption, type ParsedArgs } from '../argv.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, fail, redactedJson, usageError } from '../output.js';
import { safeText } from '../report/format.js';
import { parseDuration } from './resolve-pending.js';
import { buildFromConfigFile, noNetwork } from './shared.js';

const SUBCOMMANDS = ['list', 'tail', 'parked', 'replay'] as const;

function count(text: string | undefined, flag: string, max: number): Result<number | undefined, string> {
  if (text === undefined) return ok(undefined);
  return /^\d{1,15}$/.test(text) && Number(text) <= max ? ok(Number(text)) : err(`${flag} must be a whole number from 0 to ${max}`);
}

/** One event as a line: id, type, record, statuses, amount, cause, time. */
export function eventLine(e: PaykitEvent): string {
  const cause = `${e.cause.source}${e.cause.correction ? ' (correction)' : ''}`;
  return `${String(e.id).padStart(6)}  ${e.type.padEnd(26)} ${`${e.record.kind} ${e.record.id}`.padEnd(28)} ${(e.from ?? '-').padEnd(18)} → ${e.to.padEnd(18)} ${String(e.amount.amount).padStart(10)} ${e.amount.currency}  ${cause.padEnd(24)} ${e.occurredAt.toISOString()}`;
}

function print(ctx: CommandContext, events: readonly PaykitEvent[], json: boolean): void {
  if (json) for (const e of events) ctx.io.out(`${JSON.stringify(JSON.parse(redactedJson(e)))}\n`);
  else for (const e of events) ctx.io.out(`${eventLine(e)}\n`);
}

async function withPaykit(ctx: CommandContext, file: string, work: (paykit: Paykit) => Promise<number>): Promise<number> {
  const built = await buildFromConfigFile(ctx, file, noNetwork, 'open');
  if (built.isErr()) return fail(ctx.io, built.error);
  try {
    return await work(built.value.paykit);
  } finally {
    await built.value.paykit.close();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `paykit events`: read the outbox, follow it, list and replay parked events. */
export const eventsCommand: Command = {
  name: 'events',
  summary: 'list, follow and replay merchant events (the outbox of every committed transition)',
  options: { config: 'string', after: 'string', type: 'string', limit: 'string', consumer: 'string', from: 'string', interval: 'string', json: 'boolean', once: 'boolean' },
  help: `Usage: paykit events <list | tail | parked | replay> --config FILE [options]

Reads the merchant events of the durable store the config names: every committed status change of
a payment, refund, pre-authorisation or payout, in id (commit) order.

  list      print events:  [--after ID] [--type T[,T…]] [--limit N (100)]
  tail      print events as they are committed, until interrupted: [--after ID] [--type T[,T…]] [--interval 1s]
  parked    list the events a consumer gave up on after its attempts: [--consumer NAME]
  replay    deliver every event from --from ID on again to --consumer NAME (parked ones
            included), at its next round: moves the consumer's cursor back

Options:
  --config FILE    paykit config file with a "store" section
  --json           one JSON object per line
  -h, --help       show this help

Examples:
  paykit events list --config paykit.config.json --type payment.succeeded --limit 20
  paykit events parked --config paykit.config.json --consumer fulfilment
  paykit events replay --config paykit.config.json --consumer fulfilment --from 1042
`,
  async run(args: ParsedArgs, ctx: CommandContext) {
    const { io } = ctx;
    const [sub, ...extra] = args.positionals;
    if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub)) return usageError(io, 'events', `expected one of ${SUBCOMMANDS.join(', ')}`);
    if (extra.length > 0) return usageError(io, 'events', `unexpected argument "${extra[0]?.slice(0, 40)}"`);
    const config = stringOption(args, 'config');
    if (config === undefined) return usageError(io, 'events', '--config is required');
    const json = args.options.json === true;
    const after = count(stringOption(args, 'after'), '--after', Number.MAX_SAFE_INTEGER);
    if (after.isErr()) return usageError(io, 'events', after.error);
    const limit = count(stringOption(args, 'limit'), '--limit', 10_000);
    if (limit.isErr()) return usageError(io, 'events', limit.error);
    const typeText = stringOption(args, 'type');
    const types = typeText === undefined ? undefined : typeText.split(',').map((t) => t.trim()).filter((t) => t !== '');
    const consumer = stringOption(args, 'consumer');
    switch (sub) {
      case 'list':
        return withPaykit(ctx, config, async (paykit) => {
          const page = await paykit.events.list({ ...(after.value !== undefined ? { after: after.value } : {}), ...(types ? { types } : {}), limit: limit.value ?? 100 });
          if (page.isErr()) return fail(io, page.error);
          if (!json && page.value.length === 0) io.out('No events.\n');
          print(ctx, page.value, json);
          return EXIT.ok;
        });
      case 'tail': {
        const interval = parseDuration(stringOption(args, 'interval') ?? '1s', '--interval');
        if (interval.isErr()) return usageError(io, 'events', interval.error);
        return withPaykit(ctx, config, async (paykit) => {
          let cursor = after.value ?? 0;
          let stopped = false;
          const stop = () => { stopped = true; };
          process.once('SIGINT', stop);
          try {
            while (!stopped) {
              const page = await paykit.events.list({ after: cursor, ...(types ? { types } : {}), limit: 1000 });
              if (page.isErr()) return fail(io, page.error);
              print(ctx, page.value, json);
              cursor = page.value.at(-1)?.id ?? cursor;
              if (args.options.once === true) break;
              if (page.value.length < 1000) await sleep(Math.max(50, interval.value));
            }
          } finally {
            process.removeListener('SIGINT', stop);
          }
          return EXIT.ok;
        });
      }
      case 'parked':
        return withPaykit(ctx, config, async (paykit) => {
          const parked = await paykit.events.parked(consumer);
          if (parked.isErr()) return fail(io, parked.error);
          if (json) for (const p of parked.value) io.out(`${JSON.stringify(JSON.parse(redactedJson(p)))}\n`);
          else if (parked.value.length === 0) io.out('No parked events.\n');
          else for (const p of parked.value) io.out(`${p.consumer}: ${eventLine(p.event)}\n    after ${p.attempts} attempts: ${safeText(p.lastError)}\n`);
          return parked.value.length > 0 ? EXIT.error : EXIT.ok;
        });
      case 'replay': {
        if (consumer === undefined) return usageError(io, 'events', 'replay needs --consumer NAME');
        const from = count(stringOption(args, 'from'), '--from', Number.MAX_SAFE_INTEGER);
        if (from.isErr()) return usageError(io, 'events', from.error);
        if (from.value === undefined || from.value < 1) return usageError(io, 'events', 'replay needs --from ID (an event id, 1 or more)');
        const first = from.value;
        return withPaykit(ctx, config, async (paykit) => {
          const state = await paykit.events.replay(consumer, { from: first });
          if (state.isErr()) return fail(io, state.error);
          io.out(`Consumer ${consumer} will get every event from ${first} on again at its next round (cursor ${state.value.cursor}).\n`);
          return EXIT.ok;
        });
      }
      default:
        return usageError(io, 'events', `unknown subcommand "${sub}"`);
    }
  },
};

/** `paykit prune`: retention of the outbox and the notification ledger. */
export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove old outbox events every consumer has passed, and notifications providers can no longer redeliver',
  options: { config: 'string', 'older-than': 'string', json: 'boolean' },
  help: `Usage: paykit prune --config FILE --older-than 90d [--json]

Removes, from the durable store the config names, what nothing needs any more:
  - outbox events older than --older-than that every consumer has passed (all of them when no
    consumer has subscribed yet);
  - notification-ledger entries older than both --older-than and their provider's redelivery
    window (the provider can no longer send them again, so no redelivery must be recognised).
A provider that states no redelivery window keeps its ledger whole.

Options:
  --config FILE        paykit config file with a "store" section
  --older-than TIME    at least 1d, e.g. 90d
  --json               print the report as JSON
  -h, --help           show this help

Example:
  paykit prune --config paykit.config.json --older-than 90d
`,
  async run(args: ParsedArgs, ctx: CommandContext) {
    const { io } = ctx;
    const config = stringOption(args, 'config');
    if (config === undefined) return usageError(io, 'prune', '--config is required');
    const older = stringOption(args, 'older-than');
    if (older === undefined) return usageError(io, 'prune', '--older-than is required (e.g. 90d)');
    const olderThan = parseDuration(older);
    if (olderThan.isErr()) return usageError(io, 'prune', olderThan.error);
    return withPaykit(ctx, config, async (paykit) => {
      const report = await paykit.prune({ olderThan: olderThan.value });
      if (report.isErr()) return fail(io, report.error);
      const r = report.value;
      if (args.options.json === true) io.out(`${redactedJson(r)}\n`);
      else {
        io.out(`Removed ${r.events} outbox event(s)${r.eventsUpTo === null ? '' : ` (up to id ${r.eventsUpTo}, which every consumer has passed)`}.\n`);
        for (const [provider, n] of Object.entries(r.notifications)) io.out(`Removed ${n} notification-ledger entr${n === 1 ? 'y' : 'ies'} of ${provider}.\n`);
        for (const provider of r.keptNotifications) io.out(`Kept every notification-ledger entry of ${provider}: it states no redelivery window.\n`);
      }
      return EXIT.ok;
    });
  },
};
