import type { NormalizedKey } from './key-groups.js';

/**
 * The backend's current key as state handles read it on every access. Plain fields rather than
 * getters because they sit on the per-record hot path.
 *
 * @internal
 */
export interface KeyContext {
  /** The key as the operator set it (returned by `getCurrentKey`, `getKeys`). */
  readonly currentKey: unknown;
  /** `normalizeKey(currentKey)`: the identity used in the state maps. */
  readonly currentNormKey: NormalizedKey;
  /** Whether `currentKey` is not a primitive, so its original must be remembered on insert. */
  readonly currentKeyComposite: boolean;
}
