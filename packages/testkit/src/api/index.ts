// The GitHub API stand-in: a loopback server backed by a real bare repository and held to GitHub's
// own REST description (packages/testkit/openapi/github-subset.json, see scripts/openapi-subset.mjs).
export { startGitHubStandIn, assertNoViolations } from './server.js';
export type { GitHubStandIn } from './server.js';
export { StandInState } from './store.js';
export type {
  StandInComment,
  StandInCommitStatus,
  StandInDeployment,
  StandInDeploymentStatus,
  StandInIssue,
  StandInLabel,
  StandInPull,
  StandInRelease,
} from './store.js';
export type {
  GitHubStandInOptions,
  StandInFaultHandle,
  StandInFaultKind,
  StandInFaultMatch,
  StandInFaultSpec,
  StandInFaults,
  StandInPermission,
  StandInRandomFaults,
  StandInRequest,
  StandInUserOptions,
  StandInViolation,
  StandInWriteContext,
} from './types.js';
export { githubApiDescription, GITHUB_SUBSET_PATH } from './openapi.js';
