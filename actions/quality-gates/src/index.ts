import { runAction } from '@hotfix-actions/core';
import { run } from './main.js';

await runAction(run);
