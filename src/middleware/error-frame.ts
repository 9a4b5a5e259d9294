import type { ErrorObject } from 'ajv';
import { ClientFrameError, FrameValidationError } from '../domain/errors.ts';
import type { ErrorDetail } from '../protocol/error-codes.ts';
import type { ErrorFrame } from '../protocol/frames.ts';

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
  const params = error.params as Record<string, unknown>;
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

const isValidatorError = (error: unknown): error is Error & { cause: { data?: ErrorObject[] } } =>
  (error as { cause?: { package?: string } } | undefined)?.cause?.package === '@middy/validator';

/** Field problems from @middy/validator's error, deduplicated, in schema order. */
const validationDetails = (error: { cause: { data?: ErrorObject[] } }): ErrorDetail[] => {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const detail of (error.cause.data ?? []).map(describeAjvError)) {
    const key = `${detail.field}|${detail.problem}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push(detail);
    }
  }
  return details;
};

/**
 * The error frame a client sees for an error. Only errors the project raised for the client carry
 * their message; anything else is INTERNAL_ERROR with a fixed text: no internals, no stack.
 */
const toErrorFrame = (error: unknown, requestId: string): ErrorFrame => {
  if (error instanceof ClientFrameError) {
    const details = error instanceof FrameValidationError ? error.details : undefined;
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
    return {
      type: 'error',
      error: {
        code: error.code,
        message: error.message,
        ...(details ? { details } : {}),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
      requestId,
    };
  }
  if (isValidatorError(error)) return toErrorFrame(new FrameValidationError(validationDetails(error)), requestId);
  return {
    type: 'error',
    error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; please retry' },
    requestId,
  };
};

export { toErrorFrame, fieldName, isValidatorError };
