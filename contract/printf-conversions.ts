// printf's conversions: the grammar the compiler checks a format against
// (compiler/frontend/format-string.ts) and the runtime formats a record by
// (runtime/output/printf-format.ts). One on both sides, so a format the compiler lets through is
// one the runtime reads the same way.

/**
 * `%%`, or a conversion: its flags (1), width (2), precision (3), a length modifier (4: accepted,
 * the argument's own type decides its width) and its letter (5).
 */
export const PRINTF_CONVERSION = /%(?:%|([-+ 0#]*)(\d*)(?:\.(\d+))?(ll|l|hh|h|z|j|t)?([diuxXocps]))/g;
