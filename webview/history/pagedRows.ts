import type { HistoryCursorData, HistoryPageData, HistoryRow } from '../../src/shared/historyProtocol';
import { PAGE_SIZE } from '../../src/shared/historyProtocol';

/*
 * The rows of the history table as fixed-size pages fetched by keyset cursor. Every page but
 * the last holds exactly PAGE_SIZE rows (the store only returns a `next` cursor after a full
 * page), so row i lives in page floor(i / PAGE_SIZE) and the index space is known without a
 * count.
 *
 * Only MAX_PAGES pages of rows are held (20 × 200 = 4,000 rows, a few MB at most): a user
 * who scrolls through 1,000,000 executions would otherwise grow the webview's heap without
 * bound. The start cursor of every page seen is kept instead (two numbers each), so an
 * evicted page is fetched again by its cursor when scrolled back to: still no OFFSET.
 */
export const MAX_PAGES = 20;

export class PagedRows {
  /** starts[k]: the cursor that fetches page k (null for the first page). */
  private readonly starts: Array<HistoryCursorData | null> = [null];
  /** Rows of the pages held, in least-recently-used order (Map keeps insertion order). */
  private readonly pages = new Map<number, HistoryRow[]>();
  private readonly inflight = new Map<number, Promise<void>>();
  private lastLength: number | null = null;
  /** Total executions in the database when the last page came back. */
  total = 0;
  /** Why the last fetch failed, until one succeeds. */
  error: string | null = null;

  constructor(private readonly fetch: (after: HistoryCursorData | null) => Promise<HistoryPageData>, private readonly onChange: () => void) {}

  /** True once the last page has been read (no more rows match). */
  get ended(): boolean { return this.lastLength !== null; }

  /** Rows known to exist: every page up to the furthest one fetched. */
  get count(): number {
    const pagesSeen = this.starts.length;
    if (this.lastLength !== null) return (pagesSeen - 1) * PAGE_SIZE + this.lastLength;
    // The furthest page whose start is known has not come back yet.
    return (pagesSeen - 1) * PAGE_SIZE;
  }

  get heldPages(): number { return this.pages.size; }

  /** The row at `index` when its page is held (marks the page as recently used). */
  row(index: number): HistoryRow | undefined {
    const k = Math.floor(index / PAGE_SIZE);
    const page = this.pages.get(k);
    if (!page) return undefined;
    this.pages.delete(k);
    this.pages.set(k, page);
    return page[index % PAGE_SIZE];
  }

  /** Every row held, for filter suggestions. */
  *heldRows(): Generator<HistoryRow> {
    for (const p of this.pages.values()) yield* p;
  }

  /**
   * Fetches the pages covering [from, to) that are not held, and the next page when `to`
   * reaches the end of what is known. Pages in [from, to) are kept when evicting.
   */
  ensure(from: number, to: number): void {
    if (this.error) return; // no retry loop on a failing store: Refresh starts over
    const first = Math.floor(Math.max(0, from) / PAGE_SIZE);
    let last = Math.floor(Math.max(0, to - 1) / PAGE_SIZE);
    if (!this.ended && to >= this.count) last = Math.max(last, this.starts.length - 1);
    for (let k = first; k <= last && k < this.starts.length; k++) {
      if (this.pages.has(k) || this.inflight.has(k)) continue;
      this.inflight.set(k, this.load(k, first, last));
    }
  }

  /** Resolves when nothing is being fetched. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight.values()]);
  }

  private async load(k: number, keepFrom: number, keepTo: number): Promise<void> {
    try {
      const page = await this.fetch(this.starts[k] ?? null);
      this.total = page.total;
      this.pages.set(k, page.rows);
      if (k === this.starts.length - 1) {
        if (page.next) this.starts.push(page.next);
        else this.lastLength = page.rows.length;
      }
      for (const key of this.pages.keys()) {
        if (this.pages.size <= MAX_PAGES) break;
        if (key < keepFrom || key > keepTo) this.pages.delete(key);
      }
      this.error = null;
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.inflight.delete(k);
    }
    this.onChange();
  }
}
