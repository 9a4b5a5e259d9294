import { clock, environmentConnections, loadConnectionPolicy, tools } from '../runtime/environment.ts';
import { buildConnect } from '../runtime/route-builders.ts';

export const handler = buildConnect({ tools, clock, connections: environmentConnections() }, { connection: loadConnectionPolicy() });
