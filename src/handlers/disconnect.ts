import { composeDisconnectRoute } from '../middleware/compose.ts';
import { buildConnectionStore, clock, tools } from '../runtime/route-dependencies.ts';
import { createDisconnectRoute } from '../routes/disconnect-route.ts';

const disconnect = createDisconnectRoute({ connections: buildConnectionStore(), clock, ...tools });

export const handler = composeDisconnectRoute(disconnect, { tools });
