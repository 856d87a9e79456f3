import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTORS, MARKERS, SanitizePatternError, Sanitizer, isSensitiveKey, luhnValid } from '../../src/core/sanitize';

// Fake secrets are assembled at run time so no secret-looking literal sits in the source
// (push protection and secret scanners would flag it).
const cat = (...parts: string[]): string => parts.join('');
const A = (n: number): string => 'a1B2c3D4e5'.repeat(Math.ceil(n / 10)).slice(0, n);
const FAKE = {
  openaiProj: cat('sk-', 'proj-', 'a'.repeat(40)),
  openaiLegacy: cat('sk-', A(48)),
  openaiSvc: cat('sk-', 'svcacct-', A(30), '_', A(20)),
  anthropic: cat('sk-', 'ant-', 'api03-', A(40), '-', A(20), 'AA'),
  ghp: cat('gh', 'p_', A(36)),
  ghs: cat('gh', 's_', A(36)),
  ghPat: cat('github', '_pat_', A(22), '_', A(59)),
  awsAccess: cat('AK', 'IA', 'IOSFODNN7EXAMPLE'),
  awsSecret: cat('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY'),
  google: cat('AI', 'za', A(35)),
  stripe: cat('sk', '_live_', A(24)),
  slack: cat('xo', 'xb-', '1234567890-', A(24)),
  jwt: cat('ey', 'JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', '.', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'),
  bearer: cat('opaque', A(24)),
  basic: Buffer.from(cat('admin', ':', 'hunter2')).toString('base64'),
  pemBody: cat('MIIEpAIBAAKCAQEA', A(48), '\n', A(64), '\n', A(20), '=='),
};

interface Positive { kind: string; marker: string; text: string; secret: string }

const S = MARKERS.secret;
const positives: Positive[] = [
  { kind: 'email', marker: MARKERS.email, text: 'Contact john.doe+tag@example.co.uk today', secret: 'john.doe+tag@example.co.uk' },
  { kind: 'email', marker: MARKERS.email, text: 'from: Jane_Roe@mail.example.com.', secret: 'Jane_Roe@mail.example.com' },
  { kind: 'phone', marker: MARKERS.phone, text: 'Call (555) 123-4567 now', secret: '123-4567' },
  { kind: 'phone', marker: MARKERS.phone, text: 'phone: 555-123-4567.', secret: '555-123-4567' },
  { kind: 'phone', marker: MARKERS.phone, text: 'dial +1 555 123 4567', secret: '555 123 4567' },
  { kind: 'phone', marker: MARKERS.phone, text: 'toll free 1-800-555-0199', secret: '800-555-0199' },
  { kind: 'phone', marker: MARKERS.phone, text: 'London office +44 20 7946 0958', secret: '7946 0958' },
  { kind: 'phone', marker: MARKERS.phone, text: 'E.164 +14155552671 works', secret: '4155552671' },
  { kind: 'ssn', marker: MARKERS.ssn, text: 'SSN 123-45-6789 on file', secret: '123-45-6789' },
  { kind: 'credit_card', marker: MARKERS.creditCard, text: 'card 4111 1111 1111 1111 exp 12/27', secret: '1111 1111' },
  { kind: 'credit_card', marker: MARKERS.creditCard, text: 'mc 5500-0000-0000-0004', secret: '5500-0000' },
  { kind: 'credit_card', marker: MARKERS.creditCard, text: 'amex 340000000000009.', secret: '340000000000009' },
  { kind: 'credit_card', marker: MARKERS.creditCard, text: 'amex grouped 3782 822463 10005', secret: '822463' },
  { kind: 'ipv4', marker: MARKERS.ip, text: 'server at 192.168.1.100.', secret: '192.168.1.100' },
  { kind: 'ipv4', marker: MARKERS.ip, text: 'gw=10.0.0.255;', secret: '10.0.0.255' },
  { kind: 'ipv6', marker: MARKERS.ip, text: 'host 2001:db8::1 is up', secret: '2001:db8::1' },
  { kind: 'ipv6', marker: MARKERS.ip, text: 'loopback ::1 only', secret: '::1' },
  { kind: 'ipv6', marker: MARKERS.ip, text: 'link fe80::1ff:fe23:4567:890a%eth0', secret: 'fe80::1ff' },
  { kind: 'ipv6', marker: MARKERS.ip, text: 'full 2001:0db8:85a3:0000:0000:8a2e:0370:7334 end', secret: '85a3' },
  { kind: 'openai_key', marker: S, text: `OPENAI key ${FAKE.openaiProj} set`, secret: FAKE.openaiProj },
  { kind: 'openai_key', marker: S, text: `legacy "${FAKE.openaiLegacy}"`, secret: FAKE.openaiLegacy },
  { kind: 'openai_key', marker: S, text: `svc ${FAKE.openaiSvc}`, secret: FAKE.openaiSvc },
  { kind: 'anthropic_key', marker: S, text: `ANTHROPIC_KEY ${FAKE.anthropic}`, secret: FAKE.anthropic },
  { kind: 'github_token', marker: S, text: `token ${FAKE.ghp} pushed`, secret: FAKE.ghp },
  { kind: 'github_token', marker: S, text: `app ${FAKE.ghs}`, secret: FAKE.ghs },
  { kind: 'github_token', marker: S, text: `fine-grained ${FAKE.ghPat}`, secret: FAKE.ghPat },
  { kind: 'aws_access_key', marker: S, text: `id ${FAKE.awsAccess} here`, secret: FAKE.awsAccess },
  { kind: 'aws_secret_key', marker: S, text: `aws_secret_access_key = ${FAKE.awsSecret}`, secret: FAKE.awsSecret },
  { kind: 'aws_secret_key', marker: S, text: `"secretAccessKey": "${FAKE.awsSecret}"`, secret: FAKE.awsSecret },
  { kind: 'google_api_key', marker: S, text: `maps key=${FAKE.google}&q=1`, secret: FAKE.google },
  { kind: 'stripe_key', marker: S, text: `stripe ${FAKE.stripe}`, secret: FAKE.stripe },
  { kind: 'slack_token', marker: S, text: `slack ${FAKE.slack}`, secret: FAKE.slack },
  { kind: 'jwt', marker: S, text: `cookie session=${FAKE.jwt}; Path=/`, secret: FAKE.jwt.split('.')[2] ?? '' },
  { kind: 'bearer_token', marker: `Bearer ${S}`, text: `Authorization: Bearer ${FAKE.bearer}`, secret: FAKE.bearer },
  { kind: 'basic_auth', marker: `Basic ${S}`, text: `Authorization: Basic ${FAKE.basic}`, secret: FAKE.basic },
  { kind: 'url_password', marker: `user:${S}@`, text: 'postgres://user:s3cr3tPass@db.example.com:5432/app', secret: 's3cr3tPass' },
  { kind: 'private_key_block', marker: S, text: `key:\n-----BEGIN RSA PRIVATE KEY-----\n${FAKE.pemBody}\n-----END RSA PRIVATE KEY-----\nafter`, secret: 'MIIEpAIBAAKCAQEA' },
  { kind: 'private_key_block', marker: S, text: `-----BEGIN OPENSSH PRIVATE KEY-----\n${FAKE.pemBody}\n-----END OPENSSH PRIVATE KEY-----`, secret: 'BEGIN' },
  { kind: 'private_key_block', marker: S, text: `truncated -----BEGIN PRIVATE KEY-----\n${FAKE.pemBody}`, secret: 'MIIEpAIBAAKCAQEA' },
  { kind: 'password_pair', marker: `password=${S}`, text: 'url?user=bob&password=hunter2&x=1', secret: 'hunter2' },
  { kind: 'password_pair', marker: `passwd: ${S}`, text: 'passwd: Tr0ub4dor', secret: 'Tr0ub4dor' },
  { kind: 'password_pair', marker: `pwd=${S}`, text: 'Server=db;Uid=sa;pwd=P@ss;', secret: 'P@ss' },
  { kind: 'password_pair', marker: `"password": "${S}"`, text: '{"password": "correct horse battery"}', secret: 'horse' },
  { kind: 'password_pair', marker: `DB_PASSWORD=${S}`, text: 'export DB_PASSWORD=s3cr3t', secret: 's3cr3t' },
  { kind: 'password_pair', marker: `dbPassword: '${S}'`, text: "dbPassword: 'pa55'", secret: 'pa55' },
  { kind: 'password_pair', marker: `api_key=${S}`, text: 'api_key=abc123xyz', secret: 'abc123xyz' },
  { kind: 'password_pair', marker: `token: ${S}`, text: 'token: tkn_12345', secret: 'tkn_12345' },
  { kind: 'password_pair', marker: `SECRET_KEY=${S}`, text: 'SECRET_KEY=django-insecure-xyz', secret: 'insecure' },
];

// Each must come out byte-identical with no redaction counted.
const negatives: string[] = [
  'Released on 2024-01-15 at 12:30:45 UTC (2024-01-15T12:30:45.123Z).',
  'Upgrade to version 1.2.3 or Windows build 10.0.19045 or 10.0.19045.3803.',
  'Dotted 1.2.3.4.5 is not an address, nor is v1.2.3.4 or 999.1.1.1 or 10.0.0.256.',
  'We used sk-learn and scikit-learn for the baseline.',
  'Prose: sk-learn-compatible-estimators-and-pipelines-for-everyone.',
  'Order number 4111-1111-1111-1112 shipped.',
  'Tracking 4000123412341230 and 9400111202555842 in transit.',
  'Timestamp 1700000000000 ms and id 12345678901234.',
  'Your order #100234 totals $1,234.56 (tax 3.14159).',
  'Short numbers: 555-1234, 12345, 123456, 1234 and 42.',
  'the password field is required; reset your password by email link',
  'Each token costs money; the tokens: 1500 budget and token_count=12 stay.',
  'max_tokens=1024 prompt_tokens: 200 password_length=12',
  'Times 12:30:45 and 09:05, ratio 3:2, MAC 00:1A:2B:3C:4D:5E.',
  'C++ std::vector and Rust std::io::Result<T>, Ruby Foo::Bar, numpy a[1::2] and a[::2].',
  'npm i @types/node and pkg@1.2.3 and user@localhost',
  'UUID 550e8400-e29b-41d4-a716-446655440000 and sha 3f786850e387550fdab836ed7e6dc881de23001b.',
  'Use a Bearer token in the header; the bearer of bad news.',
  'Basic usage: Basic authentication is described below.',
  'ghp_short and AKIA123 and AIza-too-short are not keys.',
  'Invalid SSNs 000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567 and 123-45-0000.',
  'https://example.com:8080/path?q=1 and http://localhost:3000/',
  'password:\n(empty) and "password": "" and secret=',
  'Decimals 3.14159265358979 and -1234.5678 and 1e10.',
  '-----BEGIN PUBLIC KEY----- is public, not a secret.',
];

describe('sanitizeText: true positives', () => {
  const s = new Sanitizer();
  for (const p of positives) {
    test(`${p.kind}: ${p.text.slice(0, 60).replace(/\n/g, '\\n')}`, () => {
      const r = s.sanitizeText(p.text);
      assert.ok(r.text.includes(p.marker), `expected ${p.marker} in: ${r.text}`);
      assert.ok(!r.text.includes(p.secret), `secret survived: ${r.text}`);
      assert.ok((r.redactions[p.kind] ?? 0) >= 1, `no ${p.kind} count: ${JSON.stringify(r.redactions)}`);
    });
  }
  test('corpus covers every built-in kind', () => {
    const kinds = new Set(DETECTORS.map((d) => d.kind));
    for (const k of kinds) assert.ok(positives.some((p) => p.kind === k), `no positive for ${k}`);
    assert.ok(positives.length >= 25);
  });
});

describe('sanitizeText: false positives survive untouched', () => {
  const s = new Sanitizer();
  for (const text of negatives) {
    test(text.slice(0, 60).replace(/\n/g, '\\n'), () => {
      assert.deepEqual(s.sanitizeText(text), { text, redactions: {} });
    });
  }
  test('Luhn preconditions of the corpus', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('4000123412341230'), false);
    assert.equal(luhnValid('12a4'), false);
  });
});

describe('sanitizeText: behaviour', () => {
  const s = new Sanitizer();

  test('counts per kind, one secret marker for all secret kinds', () => {
    const text = `a@x.com b@y.org call 555-123-4567 key ${FAKE.ghp} and ${FAKE.awsAccess}`;
    const r = s.sanitizeText(text);
    assert.deepEqual(r.redactions, { email: 2, phone: 1, github_token: 1, aws_access_key: 1 });
    assert.equal(r.text, `${MARKERS.email} ${MARKERS.email} call ${MARKERS.phone} key ${S} and ${S}`);
  });

  test('specific secrets win over generic ones (ordering)', () => {
    assert.deepEqual(s.sanitizeText(`Authorization: Bearer ${FAKE.jwt}`).redactions, { jwt: 1 });
    assert.deepEqual(s.sanitizeText(`api_key=${FAKE.openaiProj}`), { text: `api_key=${S}`, redactions: { openai_key: 1 } });
    assert.deepEqual(s.sanitizeText(`k=${FAKE.anthropic}`).redactions, { anthropic_key: 1 });
  });

  test('prose decision: password/token words alone are kept, a value after = or : is not', () => {
    assert.equal(s.redact('the password field is required'), 'the password field is required');
    assert.equal(s.redact('password: hunter2'), `password: ${S}`);
    assert.equal(s.redact('Password = hunter2 and more'), `Password = ${S} and more`);
    assert.equal(s.redact('PASSWORD:"x y"'), `PASSWORD:"${S}"`);
  });

  test('sanitizing twice changes nothing (markers are never re-matched)', () => {
    const all = positives.map((p) => p.text).join('\n');
    const once = s.sanitizeText(all);
    assert.ok(Object.keys(once.redactions).length > 10);
    assert.deepEqual(s.sanitizeText(once.text), { text: once.text, redactions: {} });
  });

  test('redact() equals sanitizeText().text; empty and tiny strings pass through', () => {
    const t = 'mail me at a@b.io';
    assert.equal(s.redact(t), s.sanitizeText(t).text);
    assert.deepEqual(s.sanitizeText(''), { text: '', redactions: {} });
    assert.equal(s.redact('ok'), 'ok');
  });

  test('no catastrophic backtracking on hostile inputs', () => {
    const hostile = [
      'a'.repeat(50_000) + '!', 'a.'.repeat(20_000) + '@', '1'.repeat(50_000), '1-'.repeat(20_000),
      'sk-' + '-'.repeat(50_000), 'password=' + 'x'.repeat(50_000), '1:'.repeat(20_000), 'eyJ' + 'a.'.repeat(20_000),
      'Bearer ' + 'a'.repeat(50_000), '-----BEGIN PRIVATE KEY-----' + ' aaaaaaaaaaaaaaaa'.repeat(5_000),
      'a-'.repeat(20_000) + '://', '+1 '.repeat(20_000), '::'.repeat(20_000), '1.'.repeat(20_000),
    ];
    for (const h of hostile) {
      const t0 = performance.now();
      s.sanitizeText(h);
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `${ms.toFixed(0)} ms on ${h.slice(0, 20)}…`);
    }
  });

  test('typical 3.5 KB text stays fast', () => {
    const para = 'The model answered the question about invoices, dates like 2024-01-15 and totals of $1,234.56. ';
    const text = para.repeat(Math.ceil(3500 / para.length)) + ' contact a@b.com';
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) s.sanitizeText(text);
    const per = (performance.now() - t0) / 200;
    assert.ok(per < 5, `${per.toFixed(3)} ms per text`);
  });
});

describe('sanitizeValue', () => {
  const s = new Sanitizer();

  test('sensitive keys (any case/style) become [REDACTED] whatever the value type', () => {
    const input = {
      apiKey: 'k1', OPENAI_API_KEY: 'k2', Authorization: 'Bearer x', 'x-api-key': 42, client_secret: { nested: true },
      password: null, refreshToken: ['a'], 'X-Auth-Token': 'y', basic_auth: 'z', privateKey: 'pk', aws_access_key_id: 'id',
      author: 'Jane', authored: '2024', authentication: 'oauth', usage: { prompt_tokens: 5, completion_tokens: 7 },
      maxTokens: 100, token_count: 12, token_type: 'Bearer', tokenizer: 'cl100k', key: 'cache-key',
    };
    assert.deepEqual(s.sanitizeValue(input), {
      apiKey: '[REDACTED]', OPENAI_API_KEY: '[REDACTED]', Authorization: '[REDACTED]', 'x-api-key': '[REDACTED]',
      client_secret: '[REDACTED]', password: '[REDACTED]', refreshToken: '[REDACTED]', 'X-Auth-Token': '[REDACTED]',
      basic_auth: '[REDACTED]', privateKey: '[REDACTED]', aws_access_key_id: '[REDACTED]',
      author: 'Jane', authored: '2024', authentication: 'oauth', usage: { prompt_tokens: 5, completion_tokens: 7 },
      maxTokens: 100, token_count: 12, token_type: 'Bearer', tokenizer: 'cl100k', key: 'cache-key',
    });
  });

  test('isSensitiveKey decisions', () => {
    for (const k of ['auth', 'authorization', 'x-auth-user', 'auth_token', 'authToken', 'basic_auth', 'apikey', 'APIKEY', 'api-key',
      'OpenAIApiKey', 'private_key', 'PRIVATEKEY', 'accessKey', 'secret', 'clientSecret', 'credentials', 'passwd', 'Cookie', 'id_token']) {
      assert.equal(isSensitiveKey(k), true, k);
    }
    for (const k of ['author', 'authored', 'authorName', 'authentication', 'tokens', 'max_tokens', 'tokenLimit', 'token_count',
      'password_length', 'key', 'monkey', 'pwd', 'secretary', 'name']) {
      assert.equal(isSensitiveKey(k), false, k);
    }
  });

  test('walks nested objects and arrays, sanitizing strings and keeping other types', () => {
    const input = {
      messages: [{ role: 'user', content: 'my email is a@b.com' }, { role: 'assistant', content: `use ${FAKE.ghp}` }],
      config: { temperature: 0.2, stream: false, stop: null, headers: { 'x-api-key': 'secret-value', Accept: 'json' } },
      when: new Date('2024-01-15T00:00:00.000Z'), missing: undefined, fn: () => 1,
    };
    const r = s.sanitizeValueWithReport(input);
    assert.deepEqual(r.value, {
      messages: [{ role: 'user', content: `my email is ${MARKERS.email}` }, { role: 'assistant', content: `use ${S}` }],
      config: { temperature: 0.2, stream: false, stop: null, headers: { 'x-api-key': '[REDACTED]', Accept: 'json' } },
      when: '2024-01-15T00:00:00.000Z', missing: undefined, fn: undefined,
    });
    assert.deepEqual(r.redactions, { email: 1, github_token: 1, sensitive_key: 1 });
    assert.equal(s.sanitizeValue('call 555-123-4567'), `call ${MARKERS.phone}`);
    for (const v of [null, 3, true, undefined]) assert.equal(s.sanitizeValue(v), v);
  });

  test('cycles become [CIRCULAR]; shared non-cyclic references are copied', () => {
    const shared = { n: 1 };
    const a: Record<string, unknown> = { name: 'a', left: shared, right: shared };
    a['self'] = a;
    const list: unknown[] = ['x'];
    list.push(list);
    a['list'] = list;
    assert.deepEqual(s.sanitizeValue(a), { name: 'a', left: { n: 1 }, right: { n: 1 }, self: MARKERS.circular, list: ['x', MARKERS.circular] });
  });

  test('never mutates the input', () => {
    const input = { password: 'p', nested: { mail: 'a@b.com', list: ['555-123-4567'] } };
    const before = structuredClone(input);
    const frozen = Object.freeze({ ...input, nested: Object.freeze({ ...input.nested, list: Object.freeze([...input.nested.list]) }) });
    const out = s.sanitizeValue(frozen) as typeof input;
    s.sanitizeValue(input);
    assert.deepEqual(input, before);
    assert.notEqual(out.nested, input.nested);
  });

  test('PII in object keys is redacted without losing entries', () => {
    const out = s.sanitizeValue({ 'a@b.com': 1, 'c@d.com': 2, plain: 3 });
    assert.deepEqual(out, { [MARKERS.email]: 1, [`${MARKERS.email} #2`]: 2, plain: 3 });
  });

  test('a "__proto__" key stays data and does not change the prototype', () => {
    const out = s.sanitizeValue(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });
});

describe('extra patterns', () => {
  test('valid patterns apply after built-ins, always globally, with default or given marker', () => {
    const s = new Sanitizer({
      extraPatterns: [
        { name: 'ticket', pattern: 'TICKET-\\d+' },
        { name: 'Customer id', pattern: 'cust_[a-z0-9]+', flags: 'i', replacement: '<CUSTOMER>' },
      ],
    });
    const r = s.sanitizeText('TICKET-1 and TICKET-22 for CUST_ab12, mail a@b.com');
    assert.equal(r.text, `[TICKET_REDACTED] and [TICKET_REDACTED] for <CUSTOMER>, mail ${MARKERS.email}`);
    assert.deepEqual(r.redactions, { email: 1, ticket: 2, 'Customer id': 1 });
    // A user pattern cannot split a secret: built-ins already replaced it.
    const t = new Sanitizer({ extraPatterns: [{ name: 'prefix', pattern: 'sk-\\w{4}' }] });
    assert.equal(t.redact(`k ${FAKE.openaiLegacy}`), `k ${S}`);
  });

  test('invalid regex throws an error naming the pattern and the reason', () => {
    assert.throws(
      () => new Sanitizer({ extraPatterns: [{ name: 'ok', pattern: 'a+' }, { name: 'broken', pattern: '(unclosed' }] }),
      (err: unknown) => {
        assert.ok(err instanceof SanitizePatternError);
        assert.equal(err.patternName, 'broken');
        assert.match(err.message, /"broken"/);
        assert.match(err.message, /not a valid regular expression/);
        assert.match(err.message, /Unterminated group/);
        return true;
      },
    );
    assert.throws(() => new Sanitizer({ extraPatterns: [{ name: 'f', pattern: 'a', flags: 'q' }] }), /"f".*Invalid flags/);
  });

  test('validatePatterns lists every problem', () => {
    assert.deepEqual(Sanitizer.validatePatterns([{ name: 'fine', pattern: '\\d{3}' }]), []);
    const problems = Sanitizer.validatePatterns([
      { name: 'fine', pattern: 'x' },
      { name: 'bad', pattern: '[' },
      { name: 'empty', pattern: 'a*' },
      { name: 'sticky', pattern: 'a', flags: 'y' },
      { pattern: 'x' },
      'nope',
      { name: 'norepl', pattern: 'x', replacement: 3 },
    ]);
    assert.deepEqual(problems.map((p) => p.name), ['bad', 'empty', 'sticky', '#4', '#5', 'norepl']);
    assert.match(problems[1]?.message ?? '', /empty string/);
    assert.deepEqual(Sanitizer.validatePatterns('x'), [{ name: 'extraPatterns', message: 'must be an array' }]);
  });
});

describe('detectors export', () => {
  test('every detector is global, frozen and has a precheck', () => {
    for (const d of DETECTORS) {
      assert.ok(d.pattern.global, d.kind);
      assert.ok(Object.isFrozen(d), d.kind);
      assert.ok(d.precheck !== undefined && !d.precheck.global, d.kind);
    }
    assert.ok(Object.isFrozen(DETECTORS));
  });
});
