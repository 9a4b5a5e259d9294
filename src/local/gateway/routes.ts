/** Route keys API Gateway reserves; a frame can never select them. */
const RESERVED_ROUTES = new Set(['$connect', '$disconnect', '$default']);

/**
 * Route selection for `$request.body.action`: a JSON object whose `action` names a custom route goes
 * there; anything else (not JSON, no action, an unknown action) goes to `$default`, or nowhere when
 * the API has no `$default` (API Gateway then answers the `Forbidden` frame).
 */
const selectRoute = (body: string, routeKeys: ReadonlySet<string>): string | undefined => {
  let action: unknown;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) action = (parsed as { action?: unknown }).action;
  } catch {
    action = undefined;
  }
  if (typeof action === 'string' && !RESERVED_ROUTES.has(action) && routeKeys.has(action)) return action;
  return routeKeys.has('$default') ? '$default' : undefined;
};

export { RESERVED_ROUTES, selectRoute };
