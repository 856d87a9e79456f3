/*
 * The `assert:` list of a prompt file, promptfoo-style:
 *
 *   assert:
 *     - type: contains
 *       value: refund
 *     - type: similar
 *       value: "We refund within 30 days"
 *       threshold: 0.7
 *
 * Text values may use {{var}} from the test case. `not-` in front of contains, icontains,
 * equals, starts-with and regex inverts the check (as in promptfoo). Each assertion may carry a
 * `name` (shown in results; default: the type and value) and a `weight` (kept for weighted
 * pass rates; unused by the checks themselves). The parser can adopt AssertionListSchema as is.
 */
import { z } from 'zod';

const common = {
  name: z.string().min(1).optional(),
  weight: z.number().nonnegative().optional(),
};

const TEXT_TYPES = ['contains', 'icontains', 'equals', 'starts-with'] as const;
const NEGATED_TEXT_TYPES = ['not-contains', 'not-icontains', 'not-equals', 'not-starts-with'] as const;

const isValidRegex = (source: string, flags: string | undefined): boolean => {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
};

const RegexAssertion = z
  .object({ type: z.enum(['regex', 'not-regex']), value: z.string().min(1), flags: z.string().regex(/^[dimsuv]*$/, 'flags: only d, i, m, s, u, v').optional(), ...common })
  .refine((a) => isValidRegex(a.value, a.flags), { message: 'value is not a valid regular expression', path: ['value'] });

export const AssertionSchema = z.union([
  z.object({ type: z.enum([...TEXT_TYPES, ...NEGATED_TEXT_TYPES]), value: z.string(), ...common }),
  RegexAssertion,
  z.object({ type: z.literal('is-json'), ...common }),
  z.object({ type: z.literal('json-schema'), value: z.union([z.record(z.string(), z.unknown()), z.boolean()]), ...common }),
  z.object({ type: z.literal('max-length'), value: z.number().int().nonnegative(), unit: z.enum(['characters', 'words']).default('characters'), ...common }),
  z.object({ type: z.literal('max-latency-ms'), value: z.number().nonnegative(), ...common }),
  z.object({ type: z.literal('max-cost'), value: z.number().nonnegative(), ...common }),
  z.object({ type: z.literal('similar'), value: z.string().min(1), threshold: z.number().min(0).max(1).default(0.75), ...common }),
  z.object({ type: z.literal('llm-rubric'), value: z.string().min(1), ...common }),
]);

export const AssertionListSchema = z.array(AssertionSchema);

export type Assertion = z.output<typeof AssertionSchema>;
export type AssertionInput = z.input<typeof AssertionSchema>;
export type AssertionType = Assertion['type'];
