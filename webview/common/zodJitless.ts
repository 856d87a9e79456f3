import { z } from 'zod';

/*
 * zod decides whether to compile parsers with `new Function` when a schema is built, probing
 * eval once; the webview CSP refuses eval and reports even the caught probe as a violation.
 * jitless skips probe and JIT. Import this before any module that builds schemas.
 */
z.config({ jitless: true });
