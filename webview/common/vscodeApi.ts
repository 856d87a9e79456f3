/** The webview side of the host connection: typed post, request/response by requestId. */
interface VsCodeApi<S> { postMessage(m: unknown): void; getState(): S | undefined; setState(s: S): void }
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export function connect<S, In extends { type: string }>(onPush: (m: In) => void) {
  const api = acquireVsCodeApi<S>();
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  window.addEventListener('message', (ev: MessageEvent) => {
    const m = ev.data as In & { requestId?: number; ok?: boolean; data?: unknown; error?: string };
    if (m.type === 'response' && typeof m.requestId === 'number') {
      const w = waiting.get(m.requestId);
      if (!w) return;
      waiting.delete(m.requestId);
      if (m.ok) w.resolve(m.data); else w.reject(new Error(m.error ?? 'request failed'));
      return;
    }
    onPush(m);
  });
  return {
    api,
    post: (m: unknown) => api.postMessage(m),
    request<T>(m: Record<string, unknown>): Promise<T> {
      const requestId = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
        api.postMessage({ ...m, requestId });
      });
    },
  };
}

/** Builds an element with text content only: untrusted strings never become HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}
