// Types of scripts/bundle.mjs for the TypeScript callers (the benchmark's shared-bundle experiment).
export interface NccOutput {
  code: string;
  map?: string;
  assets?: Record<string, { source: string | Buffer }>;
}
export function buildAction(name: string, options?: { sourceMap?: boolean }): Promise<NccOutput>;
export function buildEntry(entry: string, options?: { sourceMap?: boolean }): Promise<NccOutput>;
export function actionNames(): string[];
export function minifyChunk(file: string, source: string | Buffer): Promise<string | Buffer>;
export const CHUNK_MINIFY: { minify: boolean; target: string; legalComments: 'none' };
export function isChunkFile(file: string): boolean;
