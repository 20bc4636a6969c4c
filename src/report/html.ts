/**
 * @module
 * What the HTML pages (the paper report, its generalisation table, the σ sweep) share.
 */

/**
 * Text made safe inside an HTML element or a double-quoted attribute.
 *
 * @example
 * ```ts
 * escapeHtml('a < b & "c"'); // "a &lt; b &amp; &quot;c&quot;"
 * ```
 */
export const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
