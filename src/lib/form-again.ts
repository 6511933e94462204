/** A form shown again after its input was refused: the status, what was entered, and a message per field. */
export interface FormAgain {
  status?: number;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}
