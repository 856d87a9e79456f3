import type { Database } from 'sql.js';

/*
 * Versioned schema. Each step runs in the transaction of `migrate()`, which records the
 * version it reached in `schema_version`. Never edit a shipped step: add a new one.
 *
 * Texts (prompt and response) do not live in executions: a row keeps a snippet, the
 * character counts and a reference into compressed text segments on disk. Texts that are
 * not yet in a segment sit in pending_texts until the next compaction moves them.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; description: string; sql: string }> = [
  {
    version: 1,
    description: 'executions, pending texts, journal progress, store metadata',
    sql: `
      CREATE TABLE executions (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        prompt_id TEXT NOT NULL,
        prompt_version TEXT, prompt_hash TEXT, variant TEXT, experiment_id TEXT, run_id TEXT, test_case_id TEXT,
        provider TEXT, model TEXT, model_config TEXT NOT NULL DEFAULT '{}',
        prompt_snippet TEXT NOT NULL DEFAULT '', response_snippet TEXT NOT NULL DEFAULT '',
        prompt_chars INTEGER NOT NULL DEFAULT 0, response_chars INTEGER NOT NULL DEFAULT 0,
        text_ref TEXT,
        tokens_in INTEGER, tokens_out INTEGER, cost_usd REAL, latency_ms REAL, ttft_ms REAL,
        success INTEGER NOT NULL, error_type TEXT, error_message TEXT,
        quality_score REAL, quality TEXT,
        tags TEXT NOT NULL DEFAULT '[]', metadata TEXT NOT NULL DEFAULT '{}',
        user_id TEXT, session_id TEXT, environment TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX idx_exec_created ON executions(created_at DESC, seq DESC);
      CREATE INDEX idx_exec_prompt_created ON executions(prompt_id, created_at DESC, seq DESC);
      CREATE INDEX idx_exec_success_created ON executions(success, created_at DESC, seq DESC);
      CREATE TABLE pending_texts (seq INTEGER PRIMARY KEY, prompt_text TEXT NOT NULL, response_text TEXT NOT NULL);
      CREATE TABLE journal_progress (file TEXT PRIMARY KEY, offset INTEGER NOT NULL, closed INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT);
    `,
  },
  {
    version: 2,
    description: 'normalised tags, experiments and runs',
    sql: `
      CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE execution_tags (tag_id INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (tag_id, seq)) WITHOUT ROWID;
      CREATE TABLE experiments (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, design TEXT, seed INTEGER, status TEXT NOT NULL DEFAULT 'draft',
        variants TEXT NOT NULL DEFAULT '[]', created_at INTEGER NOT NULL
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY, prompt_id TEXT, experiment_id TEXT, status TEXT NOT NULL DEFAULT 'running',
        total INTEGER NOT NULL DEFAULT 0, succeeded INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER NOT NULL, finished_at INTEGER
      );
      INSERT OR IGNORE INTO tags(name) SELECT DISTINCT j.value FROM executions e, json_each(e.tags) j;
      INSERT OR IGNORE INTO execution_tags(tag_id, seq)
        SELECT t.id, e.seq FROM executions e, json_each(e.tags) j JOIN tags t ON t.name = j.value;
    `,
  },
  {
    version: 3,
    description: 'experiment/run/quality indexes and the FTS4 index over texts',
    sql: `
      CREATE INDEX idx_exec_experiment ON executions(experiment_id, created_at DESC) WHERE experiment_id IS NOT NULL;
      CREATE INDEX idx_exec_run ON executions(run_id) WHERE run_id IS NOT NULL;
      CREATE INDEX idx_exec_quality ON executions(quality_score, created_at DESC) WHERE quality_score IS NOT NULL;
      -- Contentless: the texts live in segments, the index only holds terms. docid = executions.seq.
      -- Rows are indexed in batches off the insert path; store_meta.fts_indexed_seq says how far.
      CREATE VIRTUAL TABLE executions_fts USING fts4(content="", prompt, response);
    `,
  },
  {
    version: 4,
    description: 'analytics rollups (hourly and daily cells) kept current by seq catch-up and dirty hours',
    sql: `
      -- One cell per (period start, prompt, provider, model, variant); NULL dimensions are '',
      -- a rolled-up dimension of a "cube" cell is char(1) (see rollups.ts).
      -- Sums and sums of squares make cells mergeable; lat_hist is a sparse JSON log histogram
      -- (see analytics/latencyHistogram.ts), dims JSON {name: [n, sum]}.
      CREATE TABLE rollup_hour (
        t INTEGER NOT NULL, prompt_id TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, variant TEXT NOT NULL,
        n INTEGER NOT NULL, ok INTEGER NOT NULL, cached INTEGER NOT NULL,
        lat_n INTEGER NOT NULL, lat_sum REAL NOT NULL, lat_sq REAL NOT NULL, lat_hist TEXT NOT NULL,
        q_n INTEGER NOT NULL, q_sum REAL NOT NULL, q_sq REAL NOT NULL, dims TEXT NOT NULL,
        tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, cost_sum REAL NOT NULL, cost_n INTEGER NOT NULL,
        PRIMARY KEY (t, prompt_id, provider, model, variant)
      ) WITHOUT ROWID;
      CREATE TABLE rollup_day (
        t INTEGER NOT NULL, prompt_id TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, variant TEXT NOT NULL,
        n INTEGER NOT NULL, ok INTEGER NOT NULL, cached INTEGER NOT NULL,
        lat_n INTEGER NOT NULL, lat_sum REAL NOT NULL, lat_sq REAL NOT NULL, lat_hist TEXT NOT NULL,
        q_n INTEGER NOT NULL, q_sum REAL NOT NULL, q_sq REAL NOT NULL, dims TEXT NOT NULL,
        tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, cost_sum REAL NOT NULL, cost_n INTEGER NOT NULL,
        PRIMARY KEY (t, prompt_id, provider, model, variant)
      ) WITHOUT ROWID;
      -- Rows with seq <= rollup_state.seq are in the rollups; newer ones are caught up in batches.
      CREATE TABLE rollup_state (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
      INSERT INTO rollup_state(id, seq) VALUES (1, 0);
      -- Hours whose rolled-up rows changed (patch, archive, restore, reused seq): recomputed before a query.
      CREATE TABLE rollup_dirty (hour INTEGER PRIMARY KEY);
      CREATE TRIGGER rollup_dirty_update AFTER UPDATE OF prompt_id, provider, model, variant, success, latency_ms, quality_score,
        quality, tags, metadata, tokens_in, tokens_out, cost_usd, created_at ON executions
        WHEN old.seq <= (SELECT seq FROM rollup_state WHERE id = 1)
      BEGIN
        INSERT OR IGNORE INTO rollup_dirty(hour) VALUES (old.created_at - (old.created_at % 3600000));
        INSERT OR IGNORE INTO rollup_dirty(hour) VALUES (new.created_at - (new.created_at % 3600000));
      END;
      CREATE TRIGGER rollup_dirty_delete AFTER DELETE ON executions
        WHEN old.seq <= (SELECT seq FROM rollup_state WHERE id = 1)
      BEGIN
        INSERT OR IGNORE INTO rollup_dirty(hour) VALUES (old.created_at - (old.created_at % 3600000));
      END;
      -- Without AUTOINCREMENT a deleted top seq is handed out again: such a row is not "new" by seq.
      CREATE TRIGGER rollup_dirty_insert AFTER INSERT ON executions
        WHEN new.seq <= (SELECT seq FROM rollup_state WHERE id = 1)
      BEGIN
        INSERT OR IGNORE INTO rollup_dirty(hour) VALUES (new.created_at - (new.created_at % 3600000));
      END;
    `,
  },
  {
    version: 5,
    description: 'rollup triggers floor times before 1970 to their hour (SQLite % truncates toward zero)',
    sql: `
      DROP TRIGGER rollup_dirty_update;
      DROP TRIGGER rollup_dirty_delete;
      DROP TRIGGER rollup_dirty_insert;
      CREATE TRIGGER rollup_dirty_update AFTER UPDATE OF prompt_id, provider, model, variant, success, latency_ms, quality_score,
        quality, tags, metadata, tokens_in, tokens_out, cost_usd, created_at ON executions
        WHEN old.seq <= (SELECT seq FROM rollup_state WHERE id = 1)
      BEGIN
        INSERT OR IGNORE INTO rollup_dirty(hour) VALUES (old.created_at - (((old.created_at % 3600000) + 3600000) % 3600000));
        INSERT OR IGNORE INTO rollup_dirty(hour) VALUES (new.created_at - (((new.created_at % 3600000) + 3600000) % 3600000));
      END;
      CREATE TRIGGER rollup_dirty_delete AFTER DELETE ON executions
        WHEN old.seq <= (SELECT seq FROM rollup_state WHERE id = 1)
      BEGIN
        INSERT OR IGNORE INTO rollup_dirty(hour) VALUES (old.created_at - (((old.created_at % 3600000) + 3600000) % 3600000));
      END;
      CREATE TRIGGER rollup_dirty_insert AFTER INSERT ON executions
        WHEN new.seq <= (SELECT seq FROM rollup_state WHERE id = 1)
      BEGIN
        INSERT OR IGNORE INTO rollup_dirty(hour) VALUES (new.created_at - (((new.created_at % 3600000) + 3600000) % 3600000));
      END;
      -- Hours of earlier rows may have been marked wrongly: forget the rollup format, so the
      -- rollups are dropped and rebuilt once (rollups.ts resetOutdatedRollups).
      DELETE FROM store_meta WHERE key = 'rollup_format';
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function currentVersion(db: Database): number {
  const has = db.exec("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'");
  if (!has.length) return 0;
  const r = db.exec('SELECT MAX(version) FROM schema_version');
  return Number(r[0]?.values[0]?.[0] ?? 0);
}

/** Brings the database to `target` (default: latest). Refuses a newer database. */
export function migrate(db: Database, target = SCHEMA_VERSION): { from: number; to: number } {
  const from = currentVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new Error(`The database has schema version ${from}, newer than this Prompt Lab understands (${SCHEMA_VERSION}). Update Prompt Lab.`);
  }
  if (from >= target) return { from, to: from };
  db.run('BEGIN');
  try {
    db.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL, description TEXT)');
    for (const m of MIGRATIONS) {
      if (m.version <= from || m.version > target) continue;
      db.exec(m.sql);
      db.run('INSERT INTO schema_version(version, applied_at, description) VALUES (?, ?, ?)', [m.version, Date.now(), m.description]);
    }
    db.run('COMMIT');
  } catch (e) {
    db.run('ROLLBACK');
    throw e;
  }
  return { from, to: target };
}
