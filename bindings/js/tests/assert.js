// A few assertions that run in Node and in a browser page alike.

const show = (value) => {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

export const ok = (value, message = 'expected a truthy value') => {
  if (!value) throw new Error(message);
};

export const equal = (actual, expected, message) => {
  if (!Object.is(actual, expected)) {
    throw new Error(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  }
};

const canonical = (value) => {
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  return value;
};

export const deepEqual = (actual, expected, message) => {
  const [a, b] = [show(canonical(actual)), show(canonical(expected))];
  if (a !== b) throw new Error(`${message ? `${message}: ` : ''}expected ${b}, got ${a}`);
};

export const match = (text, pattern, message) => {
  if (!pattern.test(text)) throw new Error(`${message ? `${message}: ` : ''}${show(text)} does not match ${pattern}`);
};

/** Awaits `promise` (or calls `fn`), which must fail with an instance of `cls`; returns
 * the error. */
export const rejects = async (promiseOrFn, cls, message) => {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    if (cls && !(error instanceof cls)) {
      throw new Error(
        `${message ? `${message}: ` : ''}expected ${cls.name}, got ${error?.name}: ${error?.message}`,
      );
    }
    return error;
  }
  throw new Error(`${message ? `${message}: ` : ''}expected ${cls?.name ?? 'an error'}, but it succeeded`);
};
