import type { RoutePolicies } from '../src/runtime/create-routes.ts';
import { routePolicies } from '../src/runtime/environment.ts';

/**
 * The policies under which a fuzzer's thousands of frames per connection are all admitted and never
 * close it: the largest limits the configuration allows, read the way a deployed function reads them.
 */
const unthrottledPolicies = (): RoutePolicies =>
  routePolicies({
    RATE_LIMIT_BURST: '10000',
    RATE_LIMIT_PER_SECOND: '10000',
    CONNECT_RATE_BURST: '10000',
    CONNECT_RATE_PER_SECOND: '10000',
    REFUSAL_LIMIT: '100000',
  });

export { unthrottledPolicies };
