import { BadRequestException } from '@nestjs/common';

/**
 * Parses an optional integer query parameter; 400 when present and not an integer.
 *
 * @example
 * ```ts
 * parseOptionalInt('12', 'limit'); // 12
 * parseOptionalInt(undefined, 'limit'); // undefined
 * ```
 */
export function parseOptionalInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,16}$/.test(value)) {
    throw new BadRequestException({
      statusCode: 400,
      message: `${name} must be an integer`,
      errors: [{ path: name, message: 'must be an integer' }],
    });
  }
  return Number(value);
}
