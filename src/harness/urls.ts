/**
 * URL building for the Harness API and UI. Every path segment that comes from a manifest or a
 * response is encoded, so an identifier can never change the path or the query.
 */

const seg = encodeURIComponent;

export function trimTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Builds `{base}{path}?{query}`, skipping undefined query values. */
export function apiUrl(baseUrl: string, path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, v);
  const qs = params.toString();
  return `${trimTrailingSlash(baseUrl)}${path}${qs === '' ? '' : `?${qs}`}`;
}

export const apiPaths = {
  execute: (pipeline: string) => `/pipeline/api/pipeline/execute/${seg(pipeline)}`,
  executionDetail: (executionId: string) => `/pipeline/api/pipelines/execution/v2/${seg(executionId)}`,
  interrupt: (executionId: string) => `/pipeline/api/pipeline/execute/interrupt/${seg(executionId)}`,
  /** POST, body `{"filterType":"PipelineExecution"}` (reference §2b). */
  executionList: () => '/pipeline/api/pipelines/execution/summary',
};

interface PipelineRef {
  accountId: string;
  org: string;
  project: string;
  pipeline: string;
}

/** `{ui}/ng/account/{acc}/all/orgs/{org}/projects/{proj}/pipelines/{pipe}` (reference §3). */
function pipelineBase(uiUrl: string, r: PipelineRef): string {
  return (
    `${trimTrailingSlash(uiUrl)}/ng/account/${seg(r.accountId)}/all/orgs/${seg(r.org)}` +
    `/projects/${seg(r.project)}/pipelines/${seg(r.pipeline)}`
  );
}

export function executionUrl(uiUrl: string, r: PipelineRef & { executionId: string }): string {
  return `${pipelineBase(uiUrl, r)}/executions/${seg(r.executionId)}/pipeline`;
}

export function executionsListUrl(uiUrl: string, r: PipelineRef): string {
  return `${pipelineBase(uiUrl, r)}/executions`;
}
