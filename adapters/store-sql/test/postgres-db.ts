import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** `DATABASE_URL` when the PostgreSQL variant can run; undefined otherwise. */
export const postgresUrl = process.env.DATABASE_URL;

/** Says, once, that the PostgreSQL variant is skipped and why. */
export function skipWithoutPostgres(ctx: Mocha.Context, what: string): void {
  if (postgresUrl) return;
  console.log(`      [skipped] ${what}: PostgreSQL variant not run — set DATABASE_URL (e.g. bash .ci/postgres.sh) to run it`);
  ctx.skip();
}

/** A database of its own for one test (created from the server at DATABASE_URL), and how to drop it. */
export async function freshDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `paykit_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
