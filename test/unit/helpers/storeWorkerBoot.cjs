// Lets unit tests run the store worker from TypeScript source (the extension runs dist/storeWorker.js).
require('tsx/cjs');
require('../../../src/core/store/storeWorker.ts');
