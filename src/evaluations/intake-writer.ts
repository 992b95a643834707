// Placeholder being written right now; replaced within this session.
export interface IntakeWriter {
  close(): Promise<void>;
}
