/** Command ids and setting keys: one place, so package.json, code and tests agree. */
export const Commands = {
  showHistory: 'promptLab.showHistory',
  showLogs: 'promptLab.showLogs',
  importExecutions: 'promptLab.importExecutions',
  exportExecutions: 'promptLab.exportExecutions',
  compactDatabase: 'promptLab.compactDatabase',
  showDatabaseInfo: 'promptLab.showDatabaseInfo',
  runPrompt: 'promptLab.runPrompt',
  runPromptWithDataset: 'promptLab.runPromptWithDataset',
  runSelection: 'promptLab.runSelection',
  runWithoutCache: 'promptLab.runWithoutCache',
  selectModel: 'promptLab.selectModel',
  setApiKey: 'promptLab.setApiKey',
  resetEndpointApprovals: 'promptLab.resetEndpointApprovals',
  showResults: 'promptLab.showResults',
  showQuality: 'promptLab.showQuality',
  showHealth: 'promptLab.showHealth',
  checkHealth: 'promptLab.checkHealth',
  compareVariants: 'promptLab.compareVariants',
  compareTimePeriods: 'promptLab.compareTimePeriods',
  openExperiment: 'promptLab.openExperiment',
  createBackup: 'promptLab.createBackup',
  restoreBackup: 'promptLab.restoreBackup',
  optimizeDatabase: 'promptLab.optimizeDatabase',
  archiveExecutions: 'promptLab.archiveExecutions',
  showDashboard: 'promptLab.showDashboard',
  /** Tree views: history filtered to `{runId}` or `{experimentId}`, refresh, an experiment's comparison. */
  showHistoryFor: 'promptLab.showHistoryFor',
  refreshTreeViews: 'promptLab.refreshTreeViews',
  openExperimentComparison: 'promptLab.openExperimentComparison',
} as const;

/** Views in the Prompt Lab activity-bar container (package.json contributes.views.promptLab). */
export const Views = { container: 'promptLab', runs: 'promptLab.runs', experiments: 'promptLab.experiments' } as const;

export const ViewTypes = { history: 'promptLab.history', results: 'promptLab.results', quality: 'promptLab.quality', compare: 'promptLab.compare', dashboard: 'promptLab.dashboard', health: 'promptLab.health' } as const;

export const SettingsSection = 'promptLab';

/** Backup schedule, kept backups and retention (archive) settings, under SettingsSection. */
export const MaintenanceSettings = { backupSchedule: 'backup.schedule', backupKeep: 'backup.keep', retentionDays: 'retentionDays' } as const;
