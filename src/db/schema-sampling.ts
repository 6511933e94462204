// Tables of the sampling feature (evaluation assignments). Kept in their own file; Database extends it.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SamplingTables {}
