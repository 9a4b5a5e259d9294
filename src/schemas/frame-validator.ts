import type { ErrorObject } from 'ajv';

/**
 * A frame validator compiled at build time (src/schemas/compiled/<name>.js): it checks the event
 * `{ body: frame }` (so error paths read `/body/...`) and, when it passes, guarantees the frame's type.
 */
interface FrameValidator<Frame> {
  (data: unknown): data is { body: Frame };
  errors?: ErrorObject[] | null;
}

export type { FrameValidator };
