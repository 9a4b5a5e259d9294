import { composeConnectRoute } from '../middleware/compose.ts';
import { buildConnectionStore, clock, loadConnectionPolicy, tools } from '../runtime/route-dependencies.ts';
import { createConnectRoute } from '../routes/connect-route.ts';

const connections = buildConnectionStore();
const policy = loadConnectionPolicy();
const connect = createConnectRoute({ connections, clock, idleTimeoutSeconds: policy.idleTimeoutSeconds });

export const handler = composeConnectRoute(connect, { tools, clock, connections, policy });
