#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx runbook-bot <cmd>` works without a build step.
// tsx is imported from this package, not named on a `node --import tsx` command line: Node resolves
// `--import` from the caller's folder, which under `npx github:…` (a manifests repo in CI) has no
// node_modules. In-process rather than a child, so SIGTERM/SIGHUP reach the bot itself.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
