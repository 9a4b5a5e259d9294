import { loadConnectionPolicy } from '../config/app-config.ts';
import { clock, environmentConnections, tools } from '../runtime/environment.ts';
import { buildConnect } from '../runtime/route-builders.ts';

export const handler = buildConnect({ tools, clock, connections: environmentConnections() }, { connection: loadConnectionPolicy() });
