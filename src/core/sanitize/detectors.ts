/**
 * Built-in PII and secret detectors. They live apart from the Sanitizer so that other code (the
 * "safety" quality scorer) can reuse exactly the same definitions instead of drifting copies.
 *
 * Rules every pattern here follows, because this runs on every stored text (hot path):
 * - compiled once at module load, always with the `g` flag (String#replace resets lastIndex, so
 *   sharing them is safe; callers using `exec` loops must reset `lastIndex` themselves);
 * - no nested quantifiers over overlapping character classes (no catastrophic backtracking);
 * - a cheap non-global `precheck` lets the Sanitizer skip a detector for most texts;
 * - a leading named group `keep` marks a prefix that stays in the text (e.g. "Bearer ");
 * - patterns that keep a prefix refuse to start on a marker, so sanitizing twice is a no-op.
 */

export type DetectorCategory = 'secret' | 'pii' | 'custom';

export interface Detector {
  /** Key in the `redactions` counts (several detectors may share one kind). */
  readonly kind: string;
  readonly category: DetectorCategory;
  /** Literal text that replaces the match (after the kept prefix, if any). */
  readonly marker: string;
  /** Global regex; an optional leading named group `keep` is preserved verbatim. */
  readonly pattern: RegExp;
  /** Non-global cheap test on the whole text; when false the detector cannot match. */
  readonly precheck?: RegExp;
  /** Second opinion on the matched value (without the kept prefix); false leaves it untouched. */
  readonly validate?: (value: string) => boolean;
}

export const MARKERS = Object.freeze({
  email: '[EMAIL_REDACTED]',
  phone: '[PHONE_REDACTED]',
  ssn: '[SSN_REDACTED]',
  creditCard: '[CREDIT_CARD_REDACTED]',
  ip: '[IP_REDACTED]',
  secret: '[SECRET_REDACTED]',
  /** Whole value under a sensitive object key. */
  value: '[REDACTED]',
  circular: '[CIRCULAR]',
});

/** Luhn checksum over a string of digits only; false for anything else. */
export function luhnValid(digits: string): boolean {
  if (digits.length === 0) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// Issuer prefixes (Amex/Diners/JCB 3x, Visa 4, Mastercard 51-55 and 22-27, Discover/Maestro 6).
// Without this, 10% of arbitrary 13-19 digit ids (e.g. ms timestamps starting with 1) pass Luhn.
const CARD_PREFIX = /^(?:3|4|5[1-5]|2[2-7]|6)/;

function isCardNumber(value: string): boolean {
  const digits = value.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && CARD_PREFIX.test(digits) && luhnValid(digits);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** True when `value` is base64 of printable ASCII containing ':' — i.e. a "user:password" pair. */
function isBasicCredential(value: string): boolean {
  const body = value.replace(/=+$/, '');
  let buffer = 0;
  let bits = 0;
  let colon = false;
  for (let i = 0; i < body.length; i++) {
    const v = B64.indexOf(body.charAt(i));
    if (v < 0) return false;
    buffer = ((buffer << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = (buffer >> bits) & 0xff;
      if (byte < 0x20 || byte > 0x7e) return false;
      if (byte === 0x3a) colon = true;
    }
  }
  return colon;
}

const DIGIT = /\d/;
const LONG_WORD_RUN = /[A-Za-z0-9_]{16}/;
const HEX3 = /[0-9A-Fa-f]{3}/;

/** Refuses to start a value on one of our own markers (keeps re-sanitizing idempotent). */
const NOT_MARKER = String.raw`(?!\[[A-Z_]+_REDACTED\])`;

// Key names for `key=value` pairs, expanded into snake/kebab/joined, UPPER, camel and Pascal forms
// so the regex can stay case-sensitive (an `i` flag would break the camelCase boundary below).
const PAIR_KEY_WORDS: readonly (readonly string[])[] = [
  ['password'], ['passwd'], ['passphrase'], ['pwd'], ['secret'], ['token'],
  ['api', 'key'], ['secret', 'key'], ['access', 'key'], ['private', 'key'],
];

function pairKeyAlternatives(): { standalone: string; camelTail: string } {
  const standalone = new Set<string>();
  const tails = new Set<string>();
  const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
  for (const words of PAIR_KEY_WORDS) {
    for (const sep of ['_', '-', '']) {
      standalone.add(words.join(sep));
      standalone.add(words.join(sep).toUpperCase());
    }
    const pascal = words.map(cap).join('');
    standalone.add(pascal);
    standalone.add(words.slice(0, 1).join('') + words.slice(1).map(cap).join(''));
    tails.add(pascal);
  }
  // Longest first so the alternation prefers "secret_key" over "secret".
  const alt = (s: Set<string>): string => [...s].sort((a, b) => b.length - a.length).join('|');
  return { standalone: alt(standalone), camelTail: alt(tails) };
}

const PAIR_KEYS = pairKeyAlternatives();

const H = '[0-9A-Fa-f]{1,4}';
const IPV6_FORMS = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?::${H}){1,7}`,
].join('|');

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

function detector(d: Detector): Detector {
  return Object.freeze(d);
}

/**
 * In application order: secrets first (most specific and widest spans, so e.g. a JWT or a PEM
 * body is never half-eaten by a number pattern), then PII. One marker for all secret kinds.
 */
export const DETECTORS: readonly Detector[] = Object.freeze([
  // PEM private keys, whole block. First of all: a partial redaction would leave key material.
  // A block cut off before END is still redacted through its base64 lines. Public keys and
  // certificates are not secrets and are not matched.
  detector({
    kind: 'private_key_block', category: 'secret', marker: MARKERS.secret, precheck: /PRIVATE KEY/,
    pattern: /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----|(?:\s+[A-Za-z0-9+/=]{16,})*)/g,
  }),
  // Anthropic before OpenAI: both start with "sk-". Needs a 16-char run without '-' so kebab-case
  // prose such as "sk-learn-compatible-..." is not taken for a key.
  detector({
    kind: 'anthropic_key', category: 'secret', marker: MARKERS.secret, precheck: /sk-ant-/,
    pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, validate: (v) => LONG_WORD_RUN.test(v),
  }),
  // OpenAI: sk-…, sk-proj-…, sk-svcacct-…. Not "sk-learn" (too short) nor Stripe's "sk_live_".
  detector({
    kind: 'openai_key', category: 'secret', marker: MARKERS.secret, precheck: /sk-/,
    pattern: /\bsk-[A-Za-z0-9_-]{20,}/g, validate: (v) => LONG_WORD_RUN.test(v),
  }),
  // GitHub classic (ghp_/gho_/ghu_/ghs_/ghr_ + 36+) and fine-grained (github_pat_) tokens.
  // Not shorter look-alikes (e.g. "ghp_test"), nor tokens glued to more word characters.
  detector({
    kind: 'github_token', category: 'secret', marker: MARKERS.secret, precheck: /gh[pousr]_|github_pat_/,
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
  }),
  // AWS access key ids. Only AKIA/ASIA (long-term/temporary keys), not other AWS id prefixes.
  detector({
    kind: 'aws_access_key', category: 'secret', marker: MARKERS.secret, precheck: /A[KS]IA/,
    pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  }),
  // AWS secret keys only when labelled: a bare 40-char base64 string is indistinguishable from
  // a hash or an id, so unlabelled ones are deliberately left alone.
  detector({
    kind: 'aws_secret_key', category: 'secret', marker: MARKERS.secret, precheck: /secret.?access/i,
    pattern: /(?<keep>(?<![A-Za-z0-9])(?:aws[_-]?)?secret[_-]?access[_-]?key["']?[ \t]*[:=][ \t]*["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
  }),
  // Google API keys. Not OAuth client ids (those are not secret on their own).
  detector({
    kind: 'google_api_key', category: 'secret', marker: MARKERS.secret, precheck: /AIza/,
    pattern: /\bAIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g,
  }),
  // Stripe secret/restricted keys. Not publishable "pk_" keys, which are public by design.
  detector({
    kind: 'stripe_key', category: 'secret', marker: MARKERS.secret, precheck: /k_(?:live|test)_/,
    pattern: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g,
  }),
  // Slack bot/user/app tokens. Not webhook URLs' path ids alone.
  detector({
    kind: 'slack_token', category: 'secret', marker: MARKERS.secret, precheck: /xox[abposr]-/,
    pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  }),
  // JWT: three base64url segments, header starting "eyJ" ('{"'); an empty signature is allowed
  // (alg "none" still carries claims). Not two-segment fragments or random "eyJ" words.
  detector({
    kind: 'jwt', category: 'secret', marker: MARKERS.secret, precheck: /eyJ/,
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  }),
  // Password in a URL's userinfo (scheme://user:password@host); the user name stays. Not
  // "host:port" URLs (no '@' after the colon part).
  detector({
    kind: 'url_password', category: 'secret', marker: MARKERS.secret, precheck: /:\/\//,
    pattern: new RegExp(String.raw`(?<keep>\b[A-Za-z][A-Za-z0-9+.-]{0,20}:\/\/[^\s:/@]*:)${NOT_MARKER}[^\s/@]+(?=@)`, 'g'),
  }),
  // "Bearer <token>": keeps "Bearer ". The token needs 16+ chars and a digit (or 32+ chars) so
  // prose like "the bearer of bad news" or "a Bearer token" is not touched.
  detector({
    kind: 'bearer_token', category: 'secret', marker: MARKERS.secret, precheck: /bearer/i,
    pattern: /(?<keep>\bbearer[ \t]+)[A-Za-z0-9._~+/-]{16,}=*/gi,
    validate: (v) => DIGIT.test(v) || v.length >= 32,
  }),
  // "Basic <base64>": only when it decodes to printable "user:password", so "Basic usage" and
  // other prose survive.
  detector({
    kind: 'basic_auth', category: 'secret', marker: MARKERS.secret, precheck: /basic/i,
    pattern: /(?<keep>\bbasic[ \t]+)[A-Za-z0-9+/]{8,}={0,2}(?![A-Za-z0-9+/=])/gi,
    validate: isBasicCredential,
  }),
  // key=value / key: value pairs for password-like keys (also DB_PASSWORD, dbPassword, "api-key").
  // Keeps key, separator and quotes. Unquoted values end at whitespace & ; , quote < > `; quoted
  // values run to the closing quote. Not prose ("the password field is required": no separator),
  // not "tokens: 5"/"token_count=5" (key must end right before the separator), not empty values.
  detector({
    kind: 'password_pair', category: 'secret', marker: MARKERS.secret, precheck: /pass|pwd|secret|token|key/i,
    pattern: new RegExp(
      String.raw`(?<keep>(?:(?<![A-Za-z0-9])(?:${PAIR_KEYS.standalone})|(?<=[a-z0-9])(?:${PAIR_KEYS.camelTail}))` +
        String.raw`["']?[ \t]*(?::=|=>|[:=])[ \t]*["']?)${NOT_MARKER}(?:(?<=["'])[^"'\r\n]+|(?<!["'])[^\s&;,"'<>\x60]+)`,
      'g',
    ),
  }),
  // Card numbers 13-19 digits: contiguous, 4-4-4-4(-3) or Amex/Diners 4-6-5(4) grouped with one
  // consistent space/dash separator; only when Luhn and the issuer prefix pass. Not order or
  // tracking numbers failing Luhn, not digit runs inside longer numbers, decimals or words.
  detector({
    kind: 'credit_card', category: 'pii', marker: MARKERS.creditCard, precheck: /\d{4}/,
    pattern: /(?<![\w.-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5}|\d{13,19})(?![\w-]|\.\d)/g,
    validate: isCardNumber,
  }),
  // US SSN, dashed form only (a bare 9-digit number is too often something else). Excludes the
  // never-issued area 000/666/9xx, group 00 and serial 0000.
  detector({
    kind: 'ssn', category: 'pii', marker: MARKERS.ssn, precheck: /\d{3}-\d\d-\d{4}/,
    pattern: /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/g,
  }),
  // Emails with a letters-only TLD. Not "user@localhost", npm scopes ("@types/node") or
  // "pkg@1.2.3". Starts only at the beginning of a local-part run (linear time).
  detector({
    kind: 'email', category: 'pii', marker: MARKERS.email, precheck: /@/,
    pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}(?![A-Za-z0-9-])/g,
  }),
  // US numbers: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567, 1-800-555-0199.
  // Separators are required, so plain digit runs, ISO dates (4-2-2), times, versions, 7-digit
  // local numbers and "#100234" never match.
  detector({
    kind: 'phone', category: 'pii', marker: MARKERS.phone, precheck: /\d{3}[ .-]\d{4}/,
    pattern: /(?<![\w.+-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-]|\.\d)/g,
  }),
  // International numbers need the leading '+': +44 20 7946 0958, +14155552671. At least 8
  // digits, so "+1.2.3" or "+12 34" do not match.
  detector({
    kind: 'phone', category: 'pii', marker: MARKERS.phone, precheck: /\+[1-9]/,
    pattern: /(?<![\w+])\+(?:[1-9]\d{7,14}|[1-9]\d{0,3}(?:[ .-]\d{1,4}){2,5})(?![\w-]|\.\d)/g,
    validate: (v) => v.replace(/\D/g, '').length >= 8,
  }),
  // IPv4, exactly four 0-255 octets with boundaries. Not versions (1.2.3), not part of a longer
  // dotted number (1.2.3.4.5, v1.2.3.4), not octets with leading zeros. A real 4-part version
  // like 1.2.3.4 is indistinguishable and is redacted.
  detector({
    kind: 'ipv4', category: 'pii', marker: MARKERS.ip, precheck: /\d\.\d{1,3}\.\d{1,3}\.\d/,
    pattern: new RegExp(String.raw`(?<![\w.])(?:${OCTET}\.){3}${OCTET}(?!\w|\.\d)`, 'g'),
  }),
  // IPv6 full and compressed forms. Needs a digit and a group of 3+ hex chars (or be "::1"), so
  // times (12:30:45), MAC addresses, C++/Rust paths (std::io, A::B) and slices (a[1::2]) survive;
  // the unspecified address "::" is not matched.
  detector({
    kind: 'ipv6', category: 'pii', marker: MARKERS.ip, precheck: /::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:/,
    pattern: new RegExp(String.raw`(?<![\w.])(?<![0-9A-Fa-f]:)(?:${IPV6_FORMS})(?![\w:]|\.\d)`, 'g'),
    validate: (v) => DIGIT.test(v) && (v === '::1' || HEX3.test(v)),
  }),
]);
