/** One measured figure of the benchmark report, with its target. */
export interface BenchRatio {
  name: string;
  value: number;
  /** How the value reads: a ratio (×), a rate (%), or a count (requests, calls, bytes). */
  unit: 'ratio' | 'rate' | 'requests' | 'count';
  target: string;
  pass: boolean;
}

/** One benchmark: prints its own table and contributes figures to the summary. */
export interface BenchSection {
  name: string;
  run(): Promise<{ text: string; ratios: BenchRatio[]; json: unknown }>;
}
