import { ensureBundlesBuilt } from './support/built-bundles.ts';
import { describeGatewaySuite } from './support/gateway-suite.ts';

// The same suite against the deployable artifacts: `dist/<name>/index.mjs` from `npm run build`.
describeGatewaySuite({ handlers: 'dist', environment: 'e2e-dist', prepare: ensureBundlesBuilt });
