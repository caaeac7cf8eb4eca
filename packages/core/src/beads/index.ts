// Beads (the `bd` issue tracker): Go-compatible JSON, line-preserving JSONL edits, bd's
// transitions and ids, repository settings and mode detection, reading the file and replacing it atomically.
export * from './json.js';
export * from './record.js';
export * from './jsonl.js';
export * from './transitions.js';
export * from './create.js';
export * from './config.js';
export * from './files.js';
