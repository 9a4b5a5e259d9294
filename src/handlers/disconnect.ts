import { composeDisconnectRoute } from '../middleware/compose.ts';
import { buildConnectionStore, tools } from '../runtime/route-dependencies.ts';
import { createDisconnectRoute } from '../routes/disconnect-route.ts';

const disconnect = createDisconnectRoute({ connections: buildConnectionStore(), ...tools });

export const handler = composeDisconnectRoute(disconnect, { tools });
