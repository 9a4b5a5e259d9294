import { clock, environmentConnections, tools } from '../runtime/environment.ts';
import { buildDisconnect } from '../runtime/route-builders.ts';

export const handler = buildDisconnect({ tools, clock, connections: environmentConnections() });
