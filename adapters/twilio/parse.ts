// Form-encoded Twilio webhook bodies → params. Pure.

/** Twilio form parameters; a key sent several times keeps every value in order. */
export type TwilioParams = Record<string, string | string[]>;

export function parseFormParams(rawBody: Buffer | string): TwilioParams {
  const text = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const params: TwilioParams = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

/** First value of a parameter, or undefined. */
export function param(params: TwilioParams, key: string): string | undefined {
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

/** A parameter's value, trimmed, or undefined when absent or blank. */
export function nonEmptyParam(params: TwilioParams, key: string): string | undefined {
  const value = param(params, key)?.trim();
  return value ? value : undefined;
}
