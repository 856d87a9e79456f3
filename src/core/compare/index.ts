export * from './design';
export * from './advisor';
export * from './analysis';
export * from './runExperiment';
