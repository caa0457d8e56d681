import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeWebhookAdapter, type Mount } from './contract.js';
import { nodeWebhookHandler } from '../src/index.js';

const mountNode: Mount = async (paykit, options) => {
  const server = createServer(nodeWebhookHandler(paykit, options));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
};

describeWebhookAdapter('node:http', mountNode);
