/**
 * The `azure` section of the stack config: the subscription and resource group, Arc, the pod
 * security baseline and Flux for every Arc cluster (components/azure/).
 */
import { z } from "zod";
import { boolean, integer, text } from "../config-issues";
import {
    DEFAULT_POD_SECURITY_EFFECT,
    FLUX_GIT_DEFAULTS,
    FLUX_GIT_URL,
    FLUX_GIT_URL_RULE,
    LOG_RETENTION_DAYS,
    POD_SECURITY_EFFECTS,
} from "../components/azure/checks";
import { DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES } from "../components/azure/podSecurity";
import { DNS_LABEL, GIT_URL } from "../components/formats";
import { distinct, gitUrl, groupObjectIds, requiredWhenEnabled, Section, uuid } from "./common";

const azureLocation = z.string().regex(/^[a-z][a-z0-9]+$/, {
    message: "must be an Azure location name such as westeurope or eastus2 (lowercase, no spaces)",
});
const azureResourceGroupName = z.string().regex(/^[-\w.()]{0,89}[-\w()]$/, {
    message:
        "must be 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period",
});
/** The Arc agents' proxy, as `az connectedk8s connect --proxy-https/--proxy-http` take it. */
const proxyUrl = z.string().regex(/^https?:\/\/\S+$/, { message: "must be a proxy URL" });

/** The Azure Arc agents every edge site runs. */
const ArcSchema = z.strictObject({
    /** Version of the azure-arc-k8sagents chart, pinned. Required when edge sites are listed. */
    agentChartVersion: text().optional(),
    /** Proxy the agents reach Azure through. @default none */
    proxy: z
        .strictObject({
            /** Proxy for the agents' HTTPS traffic (`--proxy-https`). */
            httpsProxy: proxyUrl.optional(),
            /** Proxy for the agents' plain HTTP traffic (`--proxy-http`). */
            httpProxy: proxyUrl.optional(),
            /** Comma-separated hosts and ranges that bypass the proxy; keep the cluster's service range here (`--proxy-skip-range`). */
            noProxy: z.string().optional(),
        })
        .optional(),
    /** Moved: outside clusters are edge sites now (`edge.sites`). */
    clusters: z.unknown().optional(),
});

/** What Flux syncs on every Arc cluster: the same tree Config Sync syncs on Google Cloud. */
const AzureGitOpsSchema = z.strictObject({
    /** A public https URL (`FLUX_GIT_URL`). Required when Azure is enabled. */
    url: gitUrl.optional(),
    /** Branch of the repository that Flux syncs. @default "main" */
    branch: text(z.string().min(1)).default(FLUX_GIT_DEFAULTS.branch),
    /** The baseline and the workload, as on every fleet cluster. @default "./gitops" */
    path: z.string().min(1).default(FLUX_GIT_DEFAULTS.path),
});

const AZURE_REQUIRED = ["subscriptionId", "location", "gitops.url"] as const;
const azureRequired = requiredWhenEnabled("azure", AZURE_REQUIRED);
export const AzureSchema = z
    .strictObject({
        /** Deploy the Azure side of the fleet (Arc, Policy, Monitor). @default false */
        enabled: boolean().default(false),
        /** Subscription that holds the fleet's resource group. Required when enabled. */
        subscriptionId: uuid("Azure subscription id").optional(),
        /** Entra ID tenant. @default the tenant of the credentials in use */
        tenantId: uuid("Entra ID tenant id").optional(),
        /** Location of the resource group and fleet-wide resources. Required when enabled. */
        location: azureLocation.optional(),
        /** Name of the fleet's resource group. @default `<project>-<stack>` */
        resourceGroupName: azureResourceGroupName.optional(),
        /** Log Analytics retention for Container Insights, days, from 30 to 730. @default 30 */
        logRetentionDays: integer()
            .pipe(z.number().min(LOG_RETENTION_DAYS.min).max(LOG_RETENTION_DAYS.max))
            .default(LOG_RETENTION_DAYS.default),
        /** Pod security baseline: `audit` reports, `deny` blocks. @default "audit" */
        podSecurityEffect: z.enum(POD_SECURITY_EFFECTS).default(DEFAULT_POD_SECURITY_EFFECT),
        /** The pod security baseline's scope. */
        podSecurity: z
            .strictObject({
                /**
                 * Namespaces the baseline does not check (kube-system, gatekeeper-system and
                 * azure-arc are exempt whatever the list). Add a platform namespace (ingress with
                 * host ports, CNI, storage) only once the audit shows it needs it.
                 * @default azure-extensions-usage-system and the GitOps engines' namespaces, with the three above
                 */
                excludedNamespaces: distinct(
                    z.string().regex(DNS_LABEL, { message: "must be a Kubernetes namespace name" }),
                    "namespace",
                ).default([...DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES]),
            })
            .prefault({}),
        /** Entra ID groups (object ids) with Azure Arc Kubernetes Cluster Admin. @default [] */
        adminGroupObjectIds: groupObjectIds(),
        /** Entra ID groups (object ids) with Azure Arc Kubernetes Viewer. @default [] */
        viewerGroupObjectIds: groupObjectIds(),
        arc: ArcSchema.prefault({}),
        gitops: AzureGitOpsSchema.prefault({}),
    })
    .check(z.superRefine(azureRequired.check, { when: azureRequired.when }))
    // Runs even when other Azure keys are invalid, so every problem is listed: read defensively.
    .check(z.superRefine(checkAzure, { when: () => true }));

function checkAzure(value: unknown, ctx: z.RefinementCtx): void {
    const a = value as { arc?: { clusters?: unknown }; gitops?: { url?: unknown } };
    if (a.arc?.clusters !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["arc", "clusters"],
            message:
                "has moved: clusters outside Azure are edge sites now; list them under edge.sites (name, region, kubeconfig, distribution, labels) and remove azure.arc.clusters",
        });
    }
    const url = a.gitops?.url;
    // A URL that is no git URL at all has its own message (`gitUrl`).
    if (typeof url === "string" && GIT_URL.test(url) && !FLUX_GIT_URL.test(url)) {
        ctx.addIssue({ code: "custom", path: ["gitops", "url"], message: FLUX_GIT_URL_RULE });
    }
}

export type AzureConfig = Section<z.output<typeof AzureSchema>, typeof AZURE_REQUIRED>;
