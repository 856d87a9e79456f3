export * from './design';
export * from './advisor';
export * from './analysis';
export * from './runExperiment';
export * from './arms';
export * from './distributions';
export * from './promote';
export * from './periods';
