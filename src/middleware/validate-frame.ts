import type { ErrorObject } from 'ajv';
import { FrameValidationError } from '../domain/errors.ts';
import type { ErrorDetail } from '../protocol/error-codes.ts';
import type { FrameValidator } from '../schemas/frame-validator.ts';
import { extendContext } from './extend-context.ts';
import type { RouteMiddleware, WithFrame } from './route-types.ts';

const MAX_FIELD_LENGTH = 64;

/** `/body/data/message` → `data.message`; JSON Pointer escapes decoded, long user keys cut. */
const fieldName = (instancePath: string, property?: string): string => {
  const segments = instancePath
    .split('/')
    .slice(2)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (property !== undefined) segments.push(property);
  const name = segments.join('.');
  if (name.length === 0) return 'frame';
  return name.length > MAX_FIELD_LENGTH ? `${name.slice(0, MAX_FIELD_LENGTH)}…` : name;
};

const describeAjvError = (error: ErrorObject): ErrorDetail => {
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'required':
      return { field: fieldName(error.instancePath, String(params.missingProperty)), problem: 'is required' };
    case 'additionalProperties':
      return { field: fieldName(error.instancePath, String(params.additionalProperty)), problem: 'is not allowed' };
    case 'pattern':
      return {
        field: fieldName(error.instancePath),
        problem: params.pattern === '\\S' ? 'must not be blank' : `must match ${String(params.pattern)}`,
      };
    case 'const':
      return { field: fieldName(error.instancePath), problem: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { field: fieldName(error.instancePath), problem: error.message ?? 'is invalid' };
  }
};

/** Field problems from the validator's errors, deduplicated, in schema order. */
const validationDetails = (errors: readonly ErrorObject[]): ErrorDetail[] => {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const detail of errors.map(describeAjvError)) {
    const key = `${detail.field}|${detail.problem}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push(detail);
    }
  }
  return details;
};

/**
 * Checks the parsed frame against its route's compiled schema (defaults such as history's `limit`
 * filled in) and narrows `context.frame` to the route's frame type; a bad frame is refused as
 * VALIDATION_ERROR with every field problem, and takes no rate-limit token (it runs before the limiter).
 */
const validateFrame = <Frame>(validate: FrameValidator<Frame>): RouteMiddleware<WithFrame<unknown>, WithFrame<Frame>> => ({
  adds: ['frame'],
  before: (request) => {
    const candidate = { body: request.context.frame };
    if (!validate(candidate)) throw new FrameValidationError(validationDetails(validate.errors ?? []));
    extendContext(request, { frame: candidate.body });
  },
});

export { validateFrame };
