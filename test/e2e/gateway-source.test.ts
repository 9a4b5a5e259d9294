import { describeGatewaySuite } from './support/gateway-suite.ts';

describeGatewaySuite({ handlers: 'source', environment: 'e2e-source' });
