// Completes vitest's coverage with the runs of the committed bundles. Most action code is tested the way
// the runner runs it: `node dist/<name>/index.js` in a child process (the harness's runBundle, the
// composite rollback's steps), where vitest's in-process V8 coverage cannot see it. The harness leaves
// those processes' V8 coverage of dist/ in a directory (see BUNDLE_COVERAGE_ENV in the testkit); this
// script maps it back to the TypeScript sources through source maps of the very same bundles, adds it to
// vitest's result (coverage-final.json) and writes the reports of vitest.config.ts into coverage/.
//
//   node scripts/coverage-merge.mjs --bundles <dir> [--in-process coverage/in-process/coverage-final.json]
//                                   [--out coverage]
//
// The maps are built with ncc (scripts/bundle.mjs) and kept in node_modules/.cache, never in dist/;
// a build that does not reproduce the committed bytes stops the merge: a stale bundle has no true map.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import v8Coverage from '@bcoe/v8-coverage';
import { encode } from '@jridgewell/sourcemap-codec';
import { decodedMappings, TraceMap, traceSegment } from '@jridgewell/trace-mapping';
import astV8ToIstanbul from 'ast-v8-to-istanbul';
import libCoverage from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';
import picomatch from 'picomatch';
import { tsImport } from 'tsx/esm/api';
import ts from 'typescript';
import { parseAstAsync } from 'vite';

/** The variable naming the directory of the bundle runs' coverage: the testkit's BUNDLE_COVERAGE_ENV. */
export const BUNDLE_COVERAGE_ENV = 'HOTFIX_ACTIONS_BUNDLE_COVERAGE';

const root = resolve(import.meta.dirname, '..');
const distUrl = `${pathToFileURL(join(root, 'dist')).href}/`;
const cacheDir = join(root, 'node_modules', '.cache', 'hotfix-actions-coverage');

/** An Istanbul coverage map of `data` (file path to Istanbul file coverage). */
export function createCoverageMap(data = {}) {
  return libCoverage.createCoverageMap(data);
}

/** A failure the person running the tests can fix; printed without a stack. */
export class CoverageMergeError extends Error {}

/** vitest.config.ts's coverage section: which files count, which reports to write. */
export async function coverageSettings() {
  const config = await tsImport(pathToFileURL(join(root, 'vitest.config.ts')).href, import.meta.url);
  const coverage = (config.default ?? config).test?.coverage ?? {};
  const include = coverage.include ?? ['**'];
  const exclude = coverage.exclude ?? [];
  // The same test as vitest's own (BaseCoverageProvider.isIncluded).
  const isIncluded = (file) =>
    picomatch.isMatch(file.split(sep).join('/'), include, { contains: true, dot: true, ignore: exclude });
  return {
    include,
    exclude,
    isIncluded,
    reporters: coverage.reporter ?? ['text-summary', 'json-summary', 'json', 'lcov'],
  };
}

/** Every bundle coverage file in `dir`, merged into one V8 process coverage of the scripts under dist/. */
export function readBundleCoverage(dir) {
  const dumps = existsSync(dir) ? readdirSync(dir).filter((file) => /^coverage-.*\.json$/.test(file)) : [];
  const scripts = [];
  for (const file of dumps) {
    const dump = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    for (const script of dump.result ?? []) if (script.url.startsWith(distUrl)) scripts.push(script);
  }
  const merged = v8Coverage.mergeProcessCovs([{ result: scripts }]);
  return { files: dumps.length, scripts: merged.result };
}

const bundleScript = pathToFileURL(join(root, 'scripts', 'bundle.mjs')).href;

function scriptHash(url) {
  return sha256(readFileSync(fileURLToPath(url)));
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

function jsFiles(name) {
  return readdirSync(join(root, 'dist', name))
    .filter((file) => file.endsWith('.js'))
    .sort();
}

/** ncc appends `//# sourceMappingURL=<file>.map` to each chunk when it writes maps; the committed bundle has none. */
function withoutMapComment(code) {
  return code.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '');
}

function sourceText(asset) {
  return typeof asset === 'string' ? asset : Buffer.from(asset).toString('utf8');
}

/**
 * The source maps of dist/<name>/*.js, by file name, with their sources as absolute paths. Built by
 * scripts/bundle.mjs with maps on, checked to reproduce the committed bytes, and cached by those bytes and
 * the sources' contents.
 */
export async function bundleMaps(name) {
  const files = jsFiles(name);
  const committed = Object.fromEntries(
    files.map((file) => [file, readFileSync(join(root, 'dist', name, file), 'utf8')]),
  );
  // The bytes mapped, and the code that builds and composes the maps.
  const key = sha256(
    [
      ...files.map((file) => `${file}\0${sha256(committed[file])}`),
      ...[import.meta.url, bundleScript].map(scriptHash),
    ].join('\n'),
  );
  const cacheFile = join(cacheDir, `${name}.json`);
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    if (cached.key === key && Object.values(cached.maps).every(sourcesUnchanged)) return cached.maps;
  }

  const { buildAction, isChunkFile } = await import('./bundle.mjs');
  let built;
  try {
    built = await buildAction(name, { sourceMap: true });
  } catch (error) {
    throw new CoverageMergeError(
      `bundling actions/${name} with source maps failed: ${String(error?.message ?? error).slice(0, 2000)}`,
    );
  }
  const outputs = { 'index.js': { code: built.code, map: built.map } };
  for (const [file, asset] of Object.entries(built.assets ?? {})) {
    if (!file.endsWith('.js')) continue;
    const map = built.assets[`${file}.map`];
    outputs[file] = { code: sourceText(asset.source), map: map ? sourceText(map.source) : undefined };
  }
  const stale = (why) => new CoverageMergeError(`dist/${name} is stale (${why}): run npm run bundle`);
  const fresh = Object.keys(outputs).sort();
  if (fresh.join('\n') !== files.join('\n')) throw stale(`a fresh build has ${fresh.join(', ')}`);
  const maps = {};
  for (const file of files) {
    let output = outputs[file];
    if (output.map === undefined) throw new CoverageMergeError(`ncc wrote no source map for dist/${name}/${file}`);
    if (typeof output.map === 'string') output = { ...output, map: JSON.parse(output.map) };
    if (withoutMapComment(output.code) !== committed[file] && isChunkFile(file))
      output = await minifiedChunk(file, output);
    if (withoutMapComment(output.code) !== committed[file]) throw stale(`${file} differs from a fresh build`);
    maps[file] = throughTypeScript(absoluteSources(output.map, name), name);
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ key, maps }));
  return maps;
}

/** The chunk as scripts/bundle.mjs writes it (the same esbuild transform), with its map composed with ncc's. */
async function minifiedChunk(file, output) {
  const { transform } = await import('esbuild');
  const { CHUNK_MINIFY } = await import('./bundle.mjs');
  const minified = await transform(withoutMapComment(output.code), {
    ...CHUNK_MINIFY,
    sourcemap: 'external',
    sourcefile: file,
  });
  return { code: minified.code, map: composeMaps(JSON.parse(minified.map), output.map) };
}

/** `outer` (generated code to the one file it was made from) followed by `inner` (that file to its sources). */
function composeMaps(outer, inner) {
  const trace = new TraceMap(inner);
  const mappings = decodedMappings(new TraceMap(outer)).map((line) =>
    line.flatMap((segment) => {
      if (segment.length < 4) return [segment];
      const traced = traceSegment(trace, segment[2], segment[3]);
      return traced === null || traced.length < 4 ? [[segment[0]]] : [[segment[0], traced[1], traced[2], traced[3]]];
    }),
  );
  return { ...inner, file: outer.file, mappings: encode(mappings) };
}

// ncc writes sources relative to a directory of its own choosing, which has moved with the bundling
// configuration ("../actions/x/src/index.ts", "../x/src/index.ts" with "../../packages/core/…"), not to
// the map's file. The base under which the most sources exist wins; webpack's own modules
// ("../webpack/bootstrap") become paths that do not exist and are dropped later.
function absoluteSources(map, name) {
  const candidates = [join(root, 'dist', name), join(root, 'actions', name), join(root, 'dist')];
  const resolved = candidates.map((base) => map.sources.map((source) => resolve(base, source)));
  const existing = resolved.map((paths) => paths.filter((path) => existsSync(path)).length);
  const best = existing.indexOf(Math.max(...existing));
  return { ...map, sourceRoot: undefined, sources: resolved[best] };
}

/**
 * ncc's maps end at the JavaScript that TypeScript made of each source (its loader is given no map of its
 * own), so a position maps to a line of that JavaScript, not of the .ts file. This transpiles each source
 * again, as the loader did, checks that the JavaScript is the same, and composes the two maps: bundle to
 * TypeScript. A source that does not transpile to the same JavaScript keeps no mappings (its bundle
 * coverage is left out, with a warning) rather than wrong ones.
 */
function throughTypeScript(map, name) {
  const transpile = typeScriptTranspiler(name);
  const sources = [];
  const sourcesContent = [];
  const inner = map.sources.map((source, index) => {
    const own = source.startsWith(root + sep) && !source.includes(`${sep}node_modules${sep}`);
    if (!own || !/\.[cm]?tsx?$/.test(source) || !existsSync(source)) {
      sources.push(source);
      sourcesContent.push(map.sourcesContent?.[index] ?? null);
      return { index: sources.length - 1 };
    }
    const typescript = readFileSync(source, 'utf8');
    const emitted = transpile(source, typescript);
    if (emitted.js !== map.sourcesContent?.[index]) {
      console.warn(
        `coverage: ${relative(root, source)} does not transpile to what ncc bundled; its bundle runs are left out.`,
      );
      return undefined;
    }
    sources.push(source);
    sourcesContent.push(typescript);
    return { index: sources.length - 1, trace: new TraceMap(emitted.map) };
  });
  const mappings = decodedMappings(new TraceMap(map)).map((line) =>
    line.flatMap((segment) => {
      if (segment.length < 4) return [segment];
      const [column, source, sourceLine, sourceColumn] = segment;
      const target = inner[source];
      if (target === undefined) return [[column]];
      if (target.trace === undefined) return [[column, target.index, sourceLine, sourceColumn]];
      // ncc's segments point at column 0 of a line, before its indentation: take the line's first segment then.
      const traced =
        traceSegment(target.trace, sourceLine, sourceColumn) ??
        decodedMappings(target.trace)[sourceLine]?.find((candidate) => candidate[0] >= sourceColumn);
      return traced === undefined || traced.length < 4 ? [[column]] : [[column, target.index, traced[2], traced[3]]];
    }),
  );
  return { version: 3, file: map.file, sources, sourcesContent, names: [], mappings: encode(mappings) };
}

const transpilers = new Map();

// The options ncc's TypeScript loader compiles with: the tsconfig.json nearest to the entry point, over
// ESNext defaults (see @vercel/ncc's webpack configuration), plus a map.
function typeScriptTranspiler(name) {
  const configFile = ts.findConfigFile(join(root, 'actions', name, 'src'), ts.sys.fileExists);
  if (!transpilers.has(configFile)) {
    const parsed = configFile
      ? ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} })
      : undefined;
    const compilerOptions = {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ESNext,
      ...parsed?.options,
      allowSyntheticDefaultImports: true,
      noEmit: false,
      sourceMap: true,
      inlineSourceMap: false,
      inlineSources: false,
    };
    transpilers.set(configFile, (fileName, text) => {
      const output = ts.transpileModule(text, { compilerOptions, fileName });
      return {
        js: output.outputText.replace(/\/\/# sourceMappingURL=[^\n]*$/, ''),
        map: { ...JSON.parse(output.sourceMapText), sources: [fileName] },
      };
    });
  }
  return transpilers.get(configFile);
}

// A cached map stays true while every repository source it maps to is unchanged (a comment edited in a
// source moves its lines without changing the minified bundle).
function sourcesUnchanged(map) {
  return map.sources.every((source, index) => {
    if (!source.startsWith(root + sep) || source.includes(`${sep}node_modules${sep}`) || !existsSync(source))
      return true;
    return readFileSync(source, 'utf8') === map.sourcesContent?.[index];
  });
}

/** The bundle runs' coverage as an Istanbul coverage map of the included source files. */
export async function bundleCoverageMap(scripts, isIncluded) {
  const coverageMap = libCoverage.createCoverageMap({});
  const byBundle = new Map();
  for (const script of scripts) {
    const path = fileURLToPath(script.url);
    const [name, ...rest] = relative(join(root, 'dist'), path).split(sep);
    if (!name || rest.length !== 1) continue;
    byBundle.set(name, [...(byBundle.get(name) ?? []), { script, path, file: rest[0] }]);
  }
  for (const [name, entries] of [...byBundle].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!existsSync(join(root, 'dist', name))) continue;
    const maps = await bundleMaps(name);
    for (const { script, path, file } of entries) {
      const map = maps[file];
      if (!map) continue;
      const code = readFileSync(path, 'utf8');
      const data = await astV8ToIstanbul({
        code,
        sourceMap: map,
        ast: parseAstAsync(code),
        coverage: { url: script.url, functions: script.functions },
        wrapperLength: 0,
      });
      for (const [source, fileCoverage] of Object.entries(data)) {
        if (isIncluded(source) && existsSync(source)) coverageMap.addFileCoverage(fileCoverage);
      }
    }
  }
  return coverageMap;
}

/**
 * Adds the bundle runs' hits to vitest's coverage, in vitest's structure. The two cannot simply be merged:
 * each tool finds its statements in differently transformed code, and ncc's maps only point at source
 * lines, so the same statement has different locations in each and a plain merge would count it twice.
 * Instead every statement of vitest's map takes the hits of the bundle statements that start on its line
 * (Istanbul's own notion of a covered line); functions go by the line they are declared on; branches by
 * their line, kind and number of arms, paired in order when a line holds several. What a bundle run never
 * reached stays uncovered; a line that ran counts all its statements, as Istanbul's line count does.
 */
export function addBundleCoverage(target, bundleMap) {
  for (const file of bundleMap.files()) {
    const extra = bundleMap.fileCoverageFor(file).data;
    if (!target.files().includes(file)) {
      target.addFileCoverage(extra);
      continue;
    }
    const base = target.fileCoverageFor(file).data;
    const statementHits = maxByKey(
      Object.entries(extra.statementMap),
      ([, loc]) => [loc.start.line],
      ([id]) => extra.s[id],
    );
    for (const [id, loc] of Object.entries(base.statementMap)) base.s[id] += statementHits.get(loc.start.line) ?? 0;

    const functionHits = maxByKey(
      Object.entries(extra.fnMap),
      ([, fn]) => [fn.decl.start.line, fn.loc.start.line],
      ([id]) => extra.f[id],
    );
    for (const [id, fn] of Object.entries(base.fnMap)) base.f[id] += functionHits.get(fn.decl.start.line) ?? 0;

    const branchKey = (branch) => `${branch.type} ${branch.loc.start.line} ${branch.locations.length}`;
    const byKey = (entries) => {
      const groups = new Map();
      for (const [id, branch] of entries.sort(([, a], [, b]) => a.loc.start.column - b.loc.start.column)) {
        groups.set(branchKey(branch), [...(groups.get(branchKey(branch)) ?? []), id]);
      }
      return groups;
    };
    const extraBranches = byKey(Object.entries(extra.branchMap));
    for (const [key, ids] of byKey(Object.entries(base.branchMap))) {
      const others = extraBranches.get(key);
      if (others?.length !== ids.length) continue;
      ids.forEach((id, index) => {
        base.b[id] = base.b[id].map((hits, arm) => hits + (extra.b[others[index]][arm] ?? 0));
      });
    }
  }
}

function maxByKey(entries, keysOf, valueOf) {
  const max = new Map();
  for (const entry of entries) {
    for (const key of keysOf(entry)) max.set(key, Math.max(max.get(key) ?? 0, valueOf(entry)));
  }
  return max;
}

/** Per package (packages/<name>, actions/<name>) and overall: covered/total of the four metrics. */
export function packageSummaries(coverageMap) {
  const groups = new Map();
  for (const file of coverageMap.files()) {
    const [top, name] = relative(root, file).split(sep);
    const group = `${top}/${name}`;
    const summary = groups.get(group) ?? libCoverage.createCoverageSummary();
    summary.merge(coverageMap.fileCoverageFor(file).toSummary());
    groups.set(group, summary);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function formatTable(coverageMap) {
  const metrics = ['lines', 'statements', 'functions', 'branches'];
  const rows = [...packageSummaries(coverageMap), ['all files', coverageMap.getCoverageSummary()]];
  const cell = (summary, metric) => {
    const { covered, total, pct } = summary[metric];
    return `${typeof pct === 'number' ? pct.toFixed(2) : pct} % (${covered}/${total})`.padStart(22);
  };
  const head = `${'package'.padEnd(26)}${metrics.map((metric) => metric.padStart(22)).join('')}`;
  return [
    head,
    ...rows.map(([group, summary]) => `${group.padEnd(26)}${metrics.map((m) => cell(summary, m)).join('')}`),
  ].join('\n');
}

/**
 * Reads vitest's in-process coverage and the bundle runs' coverage, merges them, writes the reports of
 * vitest.config.ts (plus a per-package table on stdout) into `out`, and returns the merged map.
 */
export async function mergeCoverage({ bundles, inProcess, out }) {
  const settings = await coverageSettings();
  if (!existsSync(inProcess))
    throw new CoverageMergeError(`${inProcess} is missing: vitest wrote no json coverage report`);
  const merged = libCoverage.createCoverageMap(JSON.parse(readFileSync(inProcess, 'utf8')));
  const started = Date.now();
  const { files, scripts } = readBundleCoverage(bundles);
  addBundleCoverage(merged, await bundleCoverageMap(scripts, settings.isIncluded));
  merged.filter((file) => settings.isIncluded(file));

  mkdirSync(out, { recursive: true });
  const context = libReport.createContext({ dir: out, coverageMap: merged });
  for (const reporter of settings.reporters) {
    const [name, options] = Array.isArray(reporter) ? reporter : [reporter, {}];
    reports.create(name, { projectRoot: root, ...options }).execute(context);
  }
  console.log(
    `\nThe committed bundles' runs (${scripts.length} scripts, from ${files} coverage files) added in ${((Date.now() - started) / 1000).toFixed(1)} s:\n`,
  );
  console.log(formatTable(merged));
  return merged;
}

/** The bytes of the files directly in `dir`. */
export function directorySize(dir) {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((total, file) => total + statSync(join(dir, file)).size, 0);
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const { values } = parseArgs({
    options: {
      bundles: { type: 'string' },
      'in-process': { type: 'string', default: 'coverage/in-process/coverage-final.json' },
      out: { type: 'string', default: 'coverage' },
    },
  });
  if (values.bundles === undefined) {
    console.error(
      'usage: node scripts/coverage-merge.mjs --bundles <dir> [--in-process <coverage-final.json>] [--out <dir>]',
    );
    process.exit(2);
  }
  try {
    await mergeCoverage({
      bundles: resolve(values.bundles),
      inProcess: resolve(root, values['in-process']),
      out: resolve(root, values.out),
    });
  } catch (error) {
    if (!(error instanceof CoverageMergeError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
