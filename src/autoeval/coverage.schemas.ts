import { z } from 'zod';
import { blankToUndefined } from '../lib/validation';

// The coverage report's own query parameter (the period, team and CSR are read as every report reads them).
export const coverageQuerySchema = z.object({
  rubric_id: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'Choose a rubric.' }).int('Choose a rubric.').positive('Choose a rubric.').optional(),
  ),
});
