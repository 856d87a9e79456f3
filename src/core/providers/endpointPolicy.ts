import type { CompletionOptions, CompletionRequest, CompletionResult, Provider, ProviderProfile } from './types';

/*
 * Where a run's API key may go. Pure decisions, shared by the extension and the CLI.
 *
 * - A key stored for a provider profile (SecretStorage; in the CLI the profile's env key)
 *   goes only to that profile's own base URL. A prompt file never redirects it.
 * - A prompt file (Prompty `connection.endpoint` / `azure_endpoint`) that names another
 *   origin AND names its own key variable (`api_key: ${env:VAR}` → `apiKeyEnv`) runs
 *   against its endpoint with that variable's value, and only once the user approved
 *   that origin for that variable (extension: a modal, remembered per workspace; CLI:
 *   `--allow-endpoint HOST`).
 * - A file endpoint on another origin WITHOUT its own key variable is ignored (with a
 *   warning): the run uses the profile's base URL and key.
 * - When the user chose the profile explicitly (model picker, --provider/--base-url), the
 *   file's endpoint is ignored too: an explicit choice wins over the file.
 */

/**
 * Normalised origin ("scheme://host[:port]") of a URL, or null when it is not an http(s)
 * URL. Host case, default ports (80/443), paths and trailing slashes do not matter;
 * `localhost` and `127.0.0.1` are different hosts.
 */
export function normalizeOrigin(url: string | undefined | null): string | null {
  if (!url || !url.trim()) return null;
  let u: URL;
  try { u = new URL(url.trim()); } catch { return null; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (!u.hostname) return null;
  // URL already lower-cases the scheme and host and drops default ports.
  return `${u.protocol}//${u.host}`;
}

export function sameOrigin(a: string | undefined | null, b: string | undefined | null): boolean {
  const x = normalizeOrigin(a);
  return x !== null && x === normalizeOrigin(b);
}

/**
 * A host as the user names it for `--allow-endpoint` ("api.example.com", "host:8443",
 * "https://host") → the set of origins it allows. A bare host allows https and http on
 * their default ports; "host:port" allows both schemes on that port.
 */
export function allowedOrigins(host: string): string[] {
  const h = host.trim();
  if (!h) return [];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) { const o = normalizeOrigin(h); return o ? [o] : []; }
  return ['https', 'http'].map((s) => normalizeOrigin(`${s}://${h}`)).filter((o): o is string => o !== null);
}

export function hostAllowed(origin: string, allowHosts: readonly string[]): boolean {
  const o = normalizeOrigin(origin);
  return o !== null && allowHosts.some((h) => allowedOrigins(h).includes(o));
}

export interface FileConnection { endpoint?: string; apiKeyEnv?: string }

export type EndpointDecision =
  /** Run with the profile as it is: its base URL and its own (stored) key. */
  | { kind: 'profile'; profile: ProviderProfile; warning?: string }
  /**
   * Run against the file's endpoint with the key from env variable `apiKeyEnv`, once the
   * user approved `origin` for that variable. The stored key is never used.
   */
  | { kind: 'file-endpoint'; profile: ProviderProfile; origin: string; apiKeyEnv: string }
  | { kind: 'refuse'; reason: string };

/**
 * Which endpoint and which key a run uses. `profile` is the chosen profile; `connection`
 * the prompt file's (or null); `explicit` true when the user picked the profile.
 */
export function decideEndpoint(profile: ProviderProfile, connection: FileConnection | null | undefined, opts: { explicit?: boolean } = {}): EndpointDecision {
  const endpoint = connection?.endpoint?.trim();
  if (!endpoint || profile.kind === 'vscode-lm') return { kind: 'profile', profile };
  if (profile.baseUrl && sameOrigin(endpoint, profile.baseUrl)) return { kind: 'profile', profile };
  const origin = normalizeOrigin(endpoint);
  if (opts.explicit) {
    return { kind: 'profile', profile, warning: `the prompt file's endpoint ${origin ?? endpoint} is ignored: you chose provider "${profile.id}", which runs on its own endpoint` };
  }
  if (!origin) return { kind: 'refuse', reason: `the prompt file's endpoint "${endpoint}" is not an http(s) URL` };
  const env = connection?.apiKeyEnv?.trim();
  if (!env) {
    return { kind: 'profile', profile, warning: `the prompt file's endpoint ${origin} is ignored: it names no key variable of its own, and provider "${profile.id}"'s key goes only to ${normalizeOrigin(profile.baseUrl) ?? 'its own endpoint'}` };
  }
  return { kind: 'file-endpoint', profile: { ...profile, baseUrl: endpoint }, origin, apiKeyEnv: env };
}

/** The key under which a per-workspace approval is remembered: one origin, one variable. */
export function approvalKey(origin: string, apiKeyEnv: string): string {
  return `${normalizeOrigin(origin) ?? origin}|${apiKeyEnv}`;
}

/**
 * A provider that removes its own key from everything it returns (response text, streamed
 * deltas, partial text, raw body): a server that echoes the Authorization header back
 * must not get the key into history, exports, logs or the results panel. Errors are
 * already redacted by the providers themselves.
 */
export function withKeyRedaction(provider: Provider, key: string | undefined): Provider {
  const secret = key?.trim();
  if (!secret || secret.length < 4) return provider;
  const clean = (s: string): string => (s.includes(secret) ? s.split(secret).join('[REDACTED]') : s);
  const cleanRaw = (raw: unknown): unknown => {
    if (raw === undefined) return raw;
    try {
      const json = JSON.stringify(raw);
      return json !== undefined && json.includes(secret) ? JSON.parse(clean(json)) as unknown : raw;
    } catch { return undefined; }
  };
  const wrapped: Provider = {
    profileId: provider.profileId,
    kind: provider.kind,
    complete: async (request: CompletionRequest, options?: CompletionOptions): Promise<CompletionResult> => {
      const onToken = options?.onToken;
      const r = await provider.complete(request, onToken ? { ...options, onToken: (d) => onToken(clean(d)) } : options);
      if (r.ok) {
        const out: CompletionResult = { ...r, text: clean(r.text) };
        if ('raw' in r) out.raw = cleanRaw(r.raw);
        return out;
      }
      return { ...r, error: { ...r.error, message: clean(r.error.message) }, ...(r.partialText !== undefined ? { partialText: clean(r.partialText) } : {}) };
    },
  };
  if (provider.listModels) wrapped.listModels = (signal?: AbortSignal) => provider.listModels!(signal);
  return wrapped;
}
