/**
 * Each policy's fix, phrased as the stack config key a user of this blueprint sets. The pack's
 * messages (policy/policies/) speak of resource arguments, since the pack also checks other
 * programs; the plan prints the line from here under each violation of this stack.
 *
 * One entry per policy of the pack (tests/plan/policy-fixes.test.ts checks that every policy has
 * one and that every key named is in the stack config's schema, as docs/config.md lists it).
 */
import * as fs from "fs";
import * as path from "path";
import { shellWord } from "../config-issues";
import { isRecord } from "../lib/stack-files";
import type { Verdict } from "./gate";

/**
 * Whether the project in `projectDir` is this blueprint (a clone may rename the project, and with
 * it the keys' namespace): its stack config schema is there. Other programs the plan is pointed
 * at (`--cwd`) get the pack's messages alone, since these keys are not theirs.
 */
export function isBlueprint(projectDir: string): boolean {
    return fs.existsSync(path.join(projectDir, "config", "index.ts"));
}

/** A config key to set, and what to set it to. */
export interface ConfigSetting {
    /**
     * The key, as docs/config.md writes it: `[]` stands for the item of the list the violating
     * resource comes from (`gcp.clusters[].databaseEncryptionKey`: the cluster of that name).
     */
    readonly key: string;
    /** The value as the user types it (`true`, `<your domain>`). */
    readonly value: string;
    /** A secret: set with `--secret`. */
    readonly secret?: boolean;
    /** Only for violations of these resource types (the key of another cloud otherwise). */
    readonly types?: RegExp;
}

export type PolicyFix =
    /** The keys to set (all of them), and what else to know in one clause. */
    | { readonly set: readonly ConfigSetting[]; readonly note?: string }
    /** No config key fixes it: why, and where the fix goes instead. */
    | { readonly none: string };

/** The program's own code decides it; what the message asks for goes there. */
const inCode = (where: string): PolicyFix => ({
    none: `the program always sets this (${where}): a violation means a change there undid it, so fix the code, not the stack`,
});

const KUBERNETES_RBAC: PolicyFix = {
    none: "the app's Role and RoleBinding are the program's own (components/app/Workload.ts), and other objects come from the manifests of a ConfigGroup: fix the object the violation names there",
};

/** Policy id -> its fix in this blueprint's stack config. */
export const POLICY_FIXES: Readonly<Record<string, PolicyFix>> = {
    // ---- rbac ----
    "kubernetes-rolebinding-no-cluster-admin": {
        none: "the program binds cluster-admin to nobody; an attached cluster's install manifest may: if review accepts that binding, list its subject in exemptSubjects of policy/config/<stack>.json, otherwise fix the manifest",
    },
    "kubernetes-role-no-wildcards": KUBERNETES_RBAC,
    "kubernetes-rolebinding-no-broad-subjects": {
        set: [{ key: "app.deployerGroup", value: "<the group of the people who deploy the app>" }],
        note: "where the binding is the app's (another object's comes from a ConfigGroup's manifest: fix it there)",
    },
    "kubernetes-rolebinding-no-admin-edit": KUBERNETES_RBAC,
    "kubernetes-role-no-escalation-verbs": KUBERNETES_RBAC,
    "kubernetes-role-no-secret-writes": KUBERNETES_RBAC,
    "kubernetes-role-no-secret-reads": KUBERNETES_RBAC,
    "aws-iam-policy-no-wildcards": inCode("the IAM policies of components/aws/"),
    "aws-iam-role-trust-not-public": inCode("the role trust policies of components/aws/"),
    "gcp-gke-no-legacy-abac": inCode("components/gcp/GkeCluster.ts"),
    "gcp-gke-rbac-groups": { set: [{ key: "gcp.rbacGroupDomain", value: "<your domain>" }] },
    "azure-role-assignment-no-subscription-owner": inCode(
        "the role assignments of components/azure/",
    ),
    "gcp-iam-no-primitive-roles": inCode("the IAM members of components/gcp/"),
    "gcp-service-account-key": {
        set: [{ key: "dashboard.credentialRotation", value: "<a new label, e.g. 2026-12>" }],
        note: "on a schedule: each new label replaces the key, but the advisory stays, since the policy reports every key and the dashboard's Cloud Monitoring data source has no keyless option (only dashboard.enabled false removes the key)",
    },
    "azure-container-registry-no-admin-user": inCode("components/app/AppImage.ts"),
    "azure-aks-azure-rbac": {
        none: "the program creates no AKS cluster; an existing one joins as an edge site (edge.sites), where Arc's Azure RBAC applies",
    },
    "azure-arc-connected-cluster-azure-rbac": {
        set: [{ key: "edge.sites[].azureRbac", value: "true" }],
        note: "not on aks, eks, gke or openshift, where Arc's Azure RBAC is unsupported",
    },
    "azure-role-definition-no-wildcard-actions": inCode(
        "the role definitions of components/azure/",
    ),
    // ---- tls ----
    "aws-lb-listener-tls13": {
        set: [{ key: "aws.loadBalancer.sslPolicy", value: "ELBSecurityPolicy-TLS13-1-2-2021-06" }],
    },
    "aws-lb-listener-https-redirect": inCode("components/aws/AsgFleet.ts"),
    "gcp-ssl-policy-modern": {
        none: "the program creates no Google Cloud load balancer; set the SSL policy where one is created",
    },
    "azure-min-tls-12": inCode("the Azure resources of components/azure/ and components/app/"),
    "kubernetes-ingress-tls": inCode(
        "components/app/Workload.ts lists app.ingress.host in the app Ingress's spec.tls, with its certificate in app.ingress.tlsSecretName, which cert-manager issues when app.ingress.clusterIssuer is set",
    ),
    "gitops-source-https": {
        set: [
            {
                key: "gcp.configSync.syncRepo",
                value: "https://github.com/<you>/<repo>.git",
                types: /^gcp:/,
            },
            {
                key: "azure.gitops.url",
                value: "https://github.com/<you>/<repo>.git",
                types: /^azure-native:/,
            },
        ],
    },
    "aws-lb-target-group-tls": {
        set: [{ key: "aws.loadBalancer.targetProtocol", value: "HTTPS" }],
    },
    "aws-alb-access-logs": {
        set: [{ key: "aws.loadBalancer.accessLogs.enabled", value: "true" }],
    },
    "kubernetes-secret-database-tls": {
        set: [
            {
                key: "databaseUrl",
                value: "'postgresql://<user>:<password>@<host>:5432/<db>?sslmode=verify-full'",
                secret: true,
            },
        ],
    },
    // ---- encryption ----
    "aws-launch-template-ebs-encrypted": inCode(
        "components/aws/AsgFleet.ts; aws.fleet.kmsKeyArn only chooses the key",
    ),
    "aws-ecr-kms": inCode("components/app/AppImage.ts"),
    "aws-sns-kms": inCode("components/aws/AsgFleet.ts; aws.fleet.kmsKeyArn only chooses the key"),
    "gcp-gke-secrets-encryption": inCode(
        "components/gcp/GkeCluster.ts encrypts every cluster's Secrets, with gcp.clusters[].databaseEncryptionKey or a key it creates",
    ),
    "gcp-artifact-registry-cmek": {
        set: [
            {
                key: "appImage.gcpKmsKeyName",
                value: "projects/<project>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>",
            },
        ],
    },
    "azure-container-registry-cmek": {
        set: [
            { key: "appImage.azureSku", value: "Premium" },
            {
                key: "appImage.azureEncryption.keyIdentifier",
                value: "https://<vault>.vault.azure.net/keys/<key>",
            },
            { key: "appImage.azureEncryption.keyVaultId", value: "<the vault's resource id>" },
        ],
        note: "this creates a new registry",
    },
    "aws-kms-key-rotation": inCode("components/aws/AsgFleet.ts"),
    "gcp-kms-crypto-key-rotation": inCode("components/gcp/"),
    // ---- stack ----
    "aws-asg-target-tracking": inCode(
        "components/aws/AsgFleet.ts; aws.fleet.targetCpuUtilization sets its target",
    ),
    "fleet-cluster-registered": inCode(
        "components/gcp/HubMembership.ts registers every cluster of gcp.clusters; an EKS or AKS cluster joins as an edge site or an attached cluster",
    ),
    "aws-alb-web-acl": { set: [{ key: "aws.waf.enabled", value: "true" }] },
    "aws-wafv2-web-acl-rate-limit": {
        set: [{ key: "aws.waf.rateLimitAction", value: "block" }],
    },
    "kubernetes-ingress-rate-limit": {
        set: [{ key: "app.ingress.className", value: "nginx" }],
        note: "or another class ingress-nginx serves: the app's Ingress carries ingress-nginx's limit-rpm annotation (from app.rateLimit.requestsPer5Minutes, never 0), which other controllers ignore",
    },
};

/** What a fix line needs to know about the stack. */
export interface FixContext {
    /** The project's name, the namespace of its keys. */
    readonly project: string;
    readonly stack: string;
    /** The stack's config as its files hold it (lib/placeholders.ts stackConfigAsWritten). */
    readonly config: Readonly<Record<string, unknown>>;
    /** Full key -> the file that sets it (`Pulumi.yaml` or the stack file). */
    readonly files: Readonly<Record<string, string>>;
}

/** The value at a dotted path (`gcp.clusters`) of the project's config. */
function valueAt(ctx: FixContext, dotted: string): unknown {
    const [top, ...rest] = dotted.split(".");
    let value: unknown = ctx.config[`${ctx.project}:${top}`];
    for (const step of rest) value = isRecord(value) ? value[step] : undefined;
    return value;
}

/**
 * The position of the item of list `listKey` a resource comes from: the item named as the
 * resource, or whose name starts the resource's (`store-0042` for `store-0042-arc-agents`).
 */
function itemOf(ctx: FixContext, listKey: string, resource: string): number | undefined {
    const list = valueAt(ctx, listKey);
    if (!Array.isArray(list)) return undefined;
    // An object of a ConfigGroup is `<group>:<namespace>/<name>`: its group names the item.
    const name = resource.split(":")[0];
    let best: { i: number; length: number } | undefined;
    list.forEach((item, i) => {
        const n = isRecord(item) && typeof item.name === "string" ? item.name : undefined;
        if (n === undefined || !(name === n || name.startsWith(`${n}-`))) return;
        if (!best || n.length > best.length) best = { i, length: n.length };
    });
    return best?.i;
}

/** How to set one key in this stack, and which item it is on. */
function setting(
    ctx: FixContext,
    s: ConfigSetting,
    resource: string | undefined,
): { how: string; item?: string } {
    let key = s.key;
    let item: string | undefined;
    const at = key.indexOf("[]");
    if (at >= 0) {
        const listKey = key.slice(0, at);
        const i = resource === undefined ? undefined : itemOf(ctx, listKey, resource);
        const name = resource?.split(":")[0];
        key = `${listKey}[${i ?? `<the item of ${name ?? "the resource"}>`}]${key.slice(at + 2)}`;
        if (i !== undefined) item = `${listKey}[${i}] is ${name}`;
    }
    const top = `${ctx.project}:${key.split(/[.[]/)[0]}`;
    if (ctx.files[top] === "Pulumi.yaml") {
        // A stack-level `pulumi config set --path` would replace the project's whole object.
        return {
            how: `set ${key} to ${s.value} in Pulumi.yaml (${top}; \`pulumi config set\` would replace the whole object for this stack)`,
            item,
        };
    }
    const flags = `${s.secret ? "--secret " : ""}${key.includes(".") || key.includes("[") ? "--path " : ""}`;
    return { how: `\`pulumi config set ${flags}${shellWord(key)} ${s.value}\``, item };
}

/**
 * The line the plan prints under a violation of `policy` on `resource` (its name; none for the
 * stack), starting "In this stack:". Undefined for a policy without an entry.
 */
export function fixLine(
    policy: string,
    resource: { readonly type?: string; readonly name?: string },
    ctx: FixContext,
): string | undefined {
    const fix = POLICY_FIXES[policy];
    if (!fix) return undefined;
    if ("none" in fix) {
        return `In this stack: no config key: ${fix.none.split("<stack>").join(ctx.stack)}.`;
    }
    const forType = fix.set.filter(
        (s) => !s.types || (resource.type && s.types.test(resource.type)),
    );
    const settings = (forType.length ? forType : fix.set).map((s) =>
        setting(ctx, s, resource.name),
    );
    const items = [...new Set(settings.flatMap((s) => (s.item ? [s.item] : [])))];
    return (
        `In this stack: ${settings.map((s) => s.how).join(" and ")}` +
        (fix.note ? `, ${fix.note}` : "") +
        (items.length ? ` (${items.join(", ")})` : "") +
        "."
    );
}

/**
 * The verdict with each violation's fix in this stack after its message, for printing only: the
 * JSON and SARIF outputs keep the pack's own messages.
 */
export function withFixes(verdict: Verdict, ctx: FixContext): Verdict {
    return {
        ...verdict,
        diagnostics: verdict.diagnostics.map((d) => {
            const line = fixLine(d.policyName, { type: d.type, name: d.name }, ctx);
            return line ? { ...d, message: `${d.message}\n${line}` } : d;
        }),
    };
}
