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
  showResults: 'promptLab.showResults',
  showQuality: 'promptLab.showQuality',
} as const;

export const ViewTypes = { history: 'promptLab.history', results: 'promptLab.results', quality: 'promptLab.quality' } as const;

export const SettingsSection = 'promptLab';
