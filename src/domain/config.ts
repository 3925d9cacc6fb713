// Configuration as channel adapters see it. src/config.ts (the only reader of the environment) parses the core keys and every
// registered module's own fragment in one pass; an adapter gets its own keys, typed by its fragment, plus SharedConfig.
// The field helpers here are the one way environment strings become values (blank means unset), for the core and the
// adapters alike.
import { z } from 'zod';

/** Core keys adapters may read too (public URL for callbacks and signatures, Mistral for transcription). */
// A type alias, not an interface: it must fit `{ [key: string]: unknown }` (the erased module config) for a typed module
// to stand in the registry's list.
export type SharedConfig = {
  readonly PORT: number;
  readonly PUBLIC_BASE_URL?: string;
  readonly MISTRAL_API_KEY?: string;
  readonly MISTRAL_MODEL: string;
  readonly MISTRAL_SERVER_URL?: string;
  readonly MISTRAL_TIMEOUT_MS: number;
};

/** A channel module's own environment keys: how each is parsed, and one line saying what it is for. */
export interface ConfigFragment<S extends z.ZodRawShape = z.ZodRawShape> {
  schema: z.ZodObject<S>;
  /** One line per key (kept in step with the README's configuration table by test/config). */
  docs: { readonly [K in keyof S]: string };
}

/** The parsed values of a fragment's keys. */
export type FragmentValues<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;

// ---- environment field parsers: string | undefined in, typed value out; messages name what is expected ----

/** Trimmed text; blank or absent → undefined. */
export const envString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const envUrl = envString.pipe(z.url({ message: 'must be an absolute URL (http:// or https://)' }).optional());

export const envEmail = envString.pipe(z.email({ message: 'must be an email address' }).optional());

export const envBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be true, false, 1 or 0' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

export const envIntInRange = (fallback: number, min: number, max: number) =>
  envString
    .pipe(
      z.coerce
        .number<string | undefined>({ message: 'must be a whole number' })
        .int('must be a whole number')
        .min(min, `must be between ${min} and ${max}`)
        .max(max, `must be between ${min} and ${max}`)
        .optional(),
    )
    .transform((v) => v ?? fallback);

export const envPositiveInt = (fallback: number) => envIntInRange(fallback, 1, Number.MAX_SAFE_INTEGER);
