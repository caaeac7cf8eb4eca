#!/usr/bin/env node
// The `hotfix` command (a bin of hotfix-actions): runs cli/index.ts through tsx, in this process.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('../cli/index.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
