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
  compareVariants: 'promptLab.compareVariants',
  createBackup: 'promptLab.createBackup',
  restoreBackup: 'promptLab.restoreBackup',
  optimizeDatabase: 'promptLab.optimizeDatabase',
} as const;

export const ViewTypes = { history: 'promptLab.history', results: 'promptLab.results', quality: 'promptLab.quality', compare: 'promptLab.compare' } as const;

export const SettingsSection = 'promptLab';

/** Backup schedule, kept backups and retention (archive) settings, under SettingsSection. */
export const MaintenanceSettings = { backupSchedule: 'backup.schedule', backupKeep: 'backup.keep', retentionDays: 'retentionDays' } as const;
