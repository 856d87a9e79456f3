/** Command ids and setting keys: one place, so package.json, code and tests agree. */
export const Commands = {
  showHistory: 'promptLab.showHistory',
  showLogs: 'promptLab.showLogs',
  importExecutions: 'promptLab.importExecutions',
  exportExecutions: 'promptLab.exportExecutions',
  compactDatabase: 'promptLab.compactDatabase',
  showDatabaseInfo: 'promptLab.showDatabaseInfo',
} as const;

export const ViewTypes = { history: 'promptLab.history' } as const;

export const SettingsSection = 'promptLab';
