/**
 * ArcGovernance's defaults and rules, shared by the stack config (config/azure.ts) and the
 * component's validation and constructor, so that each is written once. No SDK imports: config/
 * reads it without loading @pulumi/azure-native.
 *
 * The other SDK-free homes of Azure rules: the pod security baseline's excluded namespaces
 * (`podSecurity.ts`), the fleet dashboard's workspace and dashboards (`dashboards.ts`), the
 * customer-managed keys of registries (`keyVaultKey.ts`).
 */
import { HTTPS_URL } from "../formats";

/**
 * Retention of the fleet's Log Analytics workspace (Container Insights), days: the default and
 * the bounds of `retentionInDays` on the PerGB2018 tier (30 to 730; "Configure data retention",
 * https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure).
 */
export const LOG_RETENTION_DAYS = { default: 30, min: 30, max: 730 } as const;

/** The pod security baseline's effects: `audit` reports, `deny` blocks. */
export const POD_SECURITY_EFFECTS = ["audit", "deny"] as const;
export type PodSecurityEffect = (typeof POD_SECURITY_EFFECTS)[number];
/** Audit first: `deny` only once the audit shows what a site's platform pods need. */
export const DEFAULT_POD_SECURITY_EFFECT: PodSecurityEffect = "audit";

/**
 * What Flux syncs on every Arc cluster unless configured: the `main` branch, and `./gitops`, the
 * whole tree, i.e. the baseline (`gitops/cluster`) AND the rendered app (`gitops/workload`).
 * Arc clusters get the app from GitOps alone (Pulumi applies it to none of them), so
 * `./gitops/cluster` would leave them without it (gitops/README.md, "Who delivers what").
 */
export const FLUX_GIT_DEFAULTS = { branch: "main", path: "./gitops" } as const;

/**
 * The Flux policy deploys public https repositories (no credentials: fluxPolicy.ts). Config
 * Sync also takes ssh URLs (`GIT_URL`); Flux on Arc takes this.
 */
export const FLUX_GIT_URL = HTTPS_URL;
/** The message of a URL that breaks `FLUX_GIT_URL`, for config and the component alike. */
export const FLUX_GIT_URL_RULE =
    "must be an https URL: the Flux policy that deploys to every Arc cluster takes public https repositories";
