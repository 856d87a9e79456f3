/*
 * The analytics contract: what the store answers for dashboards, the CLI `analytics`
 * command and health alert rules. Every figure here is computed from stored executions;
 * a figure that cannot be computed is null and, where a reader would ask why, `reason`
 * says so. Times are epoch milliseconds (UTC).
 */

/** Which executions an analytics query covers. */
export interface AnalyticsScope {
  promptId?: string;
  model?: string;
  provider?: string;
  variant?: string;
}

export interface AnalyticsQuery extends AnalyticsScope {
  /** Window length in days (default 7). The previous window has the same length and ends where this one starts. */
  days?: number;
  /** Window length in minutes instead of days (health alert rules use sliding minute windows). Wins over `days`. */
  minutes?: number;
  /** End of the window (default: now). */
  until?: number;
  /** Time-series bucket (default: 'hour' for windows up to 2 days, else 'day'). */
  bucket?: 'hour' | 'day';
  /** Include breakdowns by prompt, model, provider and variant (default true). */
  breakdowns?: boolean;
  /** Include the time series (default true). */
  series?: boolean;
}

/**
 * Latency percentiles come from a log-bucketed histogram (bucket width 2%), so each is
 * the nearest-rank percentile to within ±1% relative; the report says this in
 * `percentileMethod` and the UI shows it next to the figures.
 */
export interface LatencyStats {
  /** Executions with a latency (cache hits have latency 0 and are counted). */
  n: number;
  mean: number | null;
  sd: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface QualityStats {
  /** Executions with an overall quality score. */
  n: number;
  mean: number | null;
  sd: number | null;
  /** Per dimension (relevance, completeness, accuracy, clarity, safety): scored executions and mean. */
  dimensions: Record<string, { n: number; mean: number | null }>;
}

/** The KPIs of one window (and of one breakdown group). */
export interface Kpis {
  executions: number;
  successes: number;
  /** successes / executions; null when there are no executions. */
  successRate: number | null;
  latency: LatencyStats;
  quality: QualityStats;
  tokensIn: number;
  tokensOut: number;
  /** Sum of known costs (USD) and how many executions had a known cost. */
  cost: { total: number; known: number };
  cacheHits: number;
  /** cacheHits / executions; null when there are no executions. */
  cacheHitRate: number | null;
}

export type KpiName = 'executions' | 'successRate' | 'latencyMean' | 'latencyP95' | 'qualityMean' | 'cost' | 'cacheHitRate';

/** One KPI against the previous window of the same length. Never invented: null parts say why in `reason`. */
export interface Delta {
  current: number | null;
  previous: number | null;
  /** current − previous. */
  change: number | null;
  /** (current − previous) / |previous|; null when previous is 0 or null. */
  relativeChange: number | null;
  direction: 'up' | 'down' | 'flat' | null;
  /** Whether the direction is an improvement (up for success rate and quality, down for latency and cost); null for volume. */
  improved: boolean | null;
  /** The test behind `significant`: two-proportion z for rates, Welch for means; null for totals and percentiles. */
  test: { name: 'two-proportion z' | 'welch'; statistic: number; p: number } | null;
  /** p < 0.05 for the test; null when no test applies or it cannot be computed. */
  significant: boolean | null;
  reason?: string;
}

export interface BreakdownRow { key: string; kpis: Kpis }

export interface SeriesPoint {
  /** Bucket start (epoch ms, UTC hour or day). */
  start: number;
  executions: number;
  successRate: number | null;
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  qualityMean: number | null;
  cost: number;
}

export interface AnalyticsReport {
  scope: AnalyticsScope;
  window: { since: number; until: number };
  previousWindow: { since: number; until: number };
  current: Kpis;
  previous: Kpis;
  deltas: Record<KpiName, Delta>;
  /** Present unless `breakdowns: false`; groups sorted by executions, descending. */
  breakdowns?: { byPrompt: BreakdownRow[]; byModel: BreakdownRow[]; byProvider: BreakdownRow[]; byVariant: BreakdownRow[] };
  /** Present unless `series: false`; every bucket of the window, empty ones with executions 0. */
  series?: { bucket: 'hour' | 'day'; points: SeriesPoint[] };
  percentileMethod: string;
  generatedAt: number;
  /** How long the store took to compute it (ms), and whether it came from the analytics cache. */
  computeMs: number;
  fromCache: boolean;
}

/** Hit/miss counters of the analytics cache (for the health check and the bench). */
export interface AnalyticsCacheStats { hits: number; misses: number; invalidations: number; entries: number; ttlMs: number }

// ---- health ----

export type Severity = 'high' | 'medium' | 'info';

export interface HealthCheckResult {
  /** e.g. 'database', 'provider:openai', 'ingestion', 'analytics-cache', 'alerts'. */
  name: string;
  healthy: boolean;
  /** One line a user can act on. */
  details: string;
  metrics: Record<string, number | string | boolean | null>;
  /** How bad it is when unhealthy. */
  severity?: Severity;
}

export interface AlertRule {
  id: 'error-rate' | 'latency-p95' | 'quality-mean' | 'db-size' | 'write-latency' | 'journal-backlog';
  /** Human name, e.g. 'Error rate'. */
  label: string;
  severity: Severity;
  /** e.g. '>' 0.05. */
  comparator: '>' | '<';
  threshold: number;
  /** Sliding window for execution-based rules. */
  windowMinutes?: number;
  /** Fewer executions than this in the window: the rule does not fire (and says so). */
  minSamples?: number;
}

export interface AlertState {
  ruleId: AlertRule['id'];
  label: string;
  severity: Severity;
  firing: boolean;
  /** The measured value, null when it could not be measured (with `reason`). */
  value: number | null;
  threshold: number;
  comparator: '>' | '<';
  n: number | null;
  reason?: string;
  /** When it last changed state (epoch ms). */
  since: number;
}

/** A state change of an alert (fired or resolved): what notifications and the alert history show. */
export interface AlertTransition { ruleId: AlertRule['id']; label: string; severity: Severity; kind: 'fired' | 'resolved'; value: number | null; threshold: number; at: number }

export interface HealthReport {
  healthy: boolean;
  checks: HealthCheckResult[];
  alerts: AlertState[];
  generatedAt: number;
  /** Sliding window of the execution-based alert rules (minutes). */
  windowMinutes?: number;
  /** How long the checks took (ms). */
  durationMs?: number;
}
