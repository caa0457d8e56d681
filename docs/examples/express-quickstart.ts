/**
 * The README's quick start as a real file: it typechecks with the rest of the repository, and
 * `adapters/webhooks/test/quickstart.test.ts` runs it against the LianLian web simulator. The
 * README shows the part between the `#region quickstart` markers, byte for byte (the test checks).
 *
 * @example
 * ```sh
 * LL_OID_PARTNER=201408071000001543 LL_MD5_KEY=… LL_NOTIFY_URL=https://shop.example/paykit/notify/shop \
 *   node --conditions=@paykit/source --import tsx/esm docs/examples/express-quickstart.ts
 * ```
 */
// #region quickstart
import { pathToFileURL } from 'node:url';
import express, { type Express, type Response } from 'express';
import { createPaykit, defineConfig, JsonLogger, type Logger, type Paykit, type PaymentError, type PayResultAsync } from '@paykit/core';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { openStore } from '@paykit/store-sql';
import { kyTransport } from '@paykit/transport-ky';
import { expressWebhook } from '@paykit/webhooks';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The paykit config. Keys come from the environment (`env:`), never from the code. `defineConfig`
 * types it: your editor completes each option of `lianlian-web` and flags a misspelt one.
 */
function shopConfig(env: Env) {
  return defineConfig({
    instances: {
      shop: {
        plugin: 'lianlian-web',
        options: {
          oidPartner: 'env:LL_OID_PARTNER',
          signType: 'MD5',
          md5Key: 'env:LL_MD5_KEY',
          notifySignType: 'MD5', // as set on LianLian's merchant site
          notifyUrl: 'env:LL_NOTIFY_URL', // public https URL that reaches /paykit/notify/shop
          busiPartner: '109001', // physical goods
          goodsCategory: '5003', // luxury goods (spec 6.3): base risk fields suffice; 4xxx needs riskGroups ['logistics']
          // LianLian's own hosts unless set; the quick start test points them at the simulator.
          ...(env.LL_CASHIER_URL ? { cashierUrl: env.LL_CASHIER_URL } : {}),
          ...(env.LL_API_BASE_URL ? { apiBaseUrl: env.LL_API_BASE_URL } : {}),
        },
      },
    },
    // Embedded PostgreSQL (PGlite) in a folder; use { kind: 'postgres', url: 'env:DATABASE_URL' }
    // when several processes serve the shop.
    store: { kind: 'pglite', dataDir: './paykit-data' },
  });
}

/** Options of {@link buildApp}. */
export interface ShopOptions {
  /** Where `env:` references are read; `process.env` by default. */
  readonly env?: Env;
  /** Folder a relative `dataDir` is resolved against; the working directory by default. */
  readonly baseDir?: string;
  /** Where paykit logs (redacted); JSON lines on stderr by default. */
  readonly logger?: Logger;
}

/** The shop: its Express app and its paykit (`paykit.close()` closes the database). */
export interface Shop {
  readonly app: Express;
  readonly paykit: Paykit;
}

const HTTP_STATUS: Partial<Record<PaymentError['kind'], number>> = { InvalidRequest: 400, NotFound: 404, Conflict: 409 };

function sendError(res: Response, error: PaymentError): void {
  // PaymentError messages never carry keys or card numbers.
  res.status(HTTP_STATUS[error.kind] ?? 500).json({ error: { kind: error.kind, code: error.code, message: error.message } });
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Builds the shop. Never throws: a bad config is an `InvalidConfig` naming the entry to fix. */
export function buildApp(options: ShopOptions = {}): PayResultAsync<Shop> {
  const env = options.env ?? process.env;
  return createPaykit(shopConfig(env), {
    plugins: [lianlianWebPlugin],
    transport: kyTransport(),
    openStore, // opens config.store: PGlite here, migrated on first use
    env,
    logger: options.logger ?? new JsonLogger('info'),
    ...(options.baseDir !== undefined ? { baseDir: options.baseDir } : {}),
  }).map((paykit) => {
    const app = express();

    // (b) Notifications first, before express.json(): the adapter needs the exact bytes LianLian
    // signed. It acknowledges only after the payment update and the ledger entry are committed.
    app.post('/paykit/notify/:instance', expressWebhook(paykit, { instanceFromPath: true }));
    app.use(express.json());

    // (a) Create a payment and return the cashier form the payer's browser posts to LianLian.
    app.post('/orders', async (req, res) => {
      const body: Record<string, unknown> = req.body ?? {};
      const created = await paykit.payments.create({
        orderId: text(body.orderId),
        amount: { amount: Number(body.amountFen), currency: 'CNY' }, // integer fen: 4965 is ¥49.65
        description: text(body.description),
        // In a real shop the payer comes from your session, not from the request body.
        payer: { id: text(body.userId), registeredAt: new Date(text(body.userRegisteredAt)), ...(req.ip ? { ip: req.ip } : {}) },
      });
      created.match(
        ({ payment, action }) => { res.status(201).json({ orderId: payment.orderId, status: payment.status, cashier: action }); },
        (error) => sendError(res, error),
      );
    });

    // (c) A payment's state as recorded: notifications move it; nothing here calls LianLian.
    app.get('/orders/:orderId', async (req, res) => {
      const payment = await paykit.payments.get(req.params.orderId);
      payment.match((p) => { res.json(p); }, (error) => sendError(res, error));
    });

    return { app, paykit };
  });
}

/** Runs the shop on PORT (3000 by default) until SIGINT or SIGTERM. */
export async function main(): Promise<void> {
  const shop = await buildApp();
  if (shop.isErr()) {
    console.error(shop.error.message);
    process.exitCode = 1;
    return;
  }
  const port = Number(process.env.PORT ?? 3000);
  const server = shop.value.app.listen(port, (error) => {
    if (error) console.error(`cannot listen on port ${port}: ${error.message}`);
    else console.log(`shop on http://localhost:${port}; LianLian notifies /paykit/notify/shop`);
  });
  const stop = (): void => { server.close(() => void shop.value.paykit.close()); };
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

// Only when run as a program: importing this file (as the test does) starts nothing.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
// #endregion quickstart
