/**
 * One edge site's cluster, with the fixed, small footprint that lets a stack hold thousands:
 * only what is truly per cluster is registered here. Everything else (GitOps, Azure Policy,
 * Container Insights, Config Sync) reaches the cluster through fleet-level policy assignments
 * and fleet defaults (`ArcGovernance`, `ConfigSync`) that do not grow with the fleet.
 *
 * Per site: this component, a Kubernetes provider for the site's kubeconfig, the Arc agents'
 * key pair, the connected cluster and the agents' Helm release; with `anthos`, also Google's
 * bootstrap manifest and the GKE attached cluster (its fleet membership).
 */
import * as azure from "@pulumi/azure-native";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { createPublicKey } from "crypto";
import { roleAssignmentName } from "../azure/roleAssignmentName";
import { attachCluster } from "../gcp/HubMembership";
import {
    ATTACHED_PLATFORM_VERSION,
    ATTACHED_PLATFORM_VERSION_RULE,
    HTTPS_URL,
    OIDC_ISSUER_URL_RULE,
} from "../formats";
import { throwIfInvalid } from "../validation";
import {
    ARC_DISTRIBUTIONS,
    ARC_INFRASTRUCTURES,
    AZURE_RBAC_SKIP_ENTRY,
    AZURE_RBAC_SKIP_ENTRY_RULE,
    defaultAzureRbac,
    EDGE_SITE_DEFAULTS,
    EDGE_SITE_NAME,
    EDGE_SITE_NAME_RULE,
    kubeconfigProblem,
} from "./checks";

export {
    agentChartVersionProblem,
    ARC_AGENT_CLI_MINIMUM,
    ARC_AGENT_LATEST_KNOWN,
    ARC_AGENT_MIN_SUPPORTED,
    ARC_AGENT_SUPPORTED_MINORS,
    ARC_DISTRIBUTIONS,
    ARC_INFRASTRUCTURES,
    AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS,
    EDGE_SITE_DEFAULTS,
    kubeconfigProblem,
} from "./checks";

/**
 * Where `az connectedk8s connect` pulls the Arc agents chart from in the public cloud (the
 * stable train's repository path, with the `/v2/` the CLI inserts before the chart name).
 */
export const ARC_AGENTS_CHART =
    "oci://mcr.microsoft.com/azurearck8s/batch1/stable/v2/azure-arc-k8sagents";
/** The release and namespace the Azure CLI installs the agents as. */
export const ARC_RELEASE = { name: "azure-arc", namespace: "azure-arc-release" } as const;

/**
 * Built-in role "Connected Cluster Managed Identity CheckAccess Reader": the connected cluster's
 * system identity needs it on the cluster for the guard to call checkAccess
 * (https://learn.microsoft.com/azure/azure-arc/kubernetes/azure-rbac, "Enable Azure RBAC on the
 * cluster"; id from https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 */
export const CHECK_ACCESS_READER_ROLE_ID = "65a14201-8f6c-4c28-bec4-12619c5a9aaa";

/** What the agents' Helm values are computed from. */
export interface ArcAgentValuesArgs {
    readonly subscriptionId: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly resourceName: pulumi.Input<string>;
    readonly location: string;
    readonly distribution: string;
    readonly infrastructure: string;
    /** PKCS#1 PEM of the onboarding key, a secret. */
    readonly onboardingPrivateKey: pulumi.Input<string>;
    readonly azureRbac: boolean;
    /** Users, groups and OIDs the guard leaves to Kubernetes RBAC (`--skip-azure-rbac-list`). */
    readonly azureRbacSkipList: readonly string[];
    readonly proxy?: ArcProxy;
}

/**
 * The agents' Helm values, as `az connectedk8s connect --disable-auto-upgrade` followed by
 * `az connectedk8s enable-features --features azure-rbac` set them:
 * `helm_install_release` in src/connectedk8s/azext_connectedk8s/_utils.py (global.subscriptionId,
 * resourceGroupName, resourceName, location, tenantId, onboardingPrivateKey, kubernetesDistro,
 * kubernetesInfra, azureEnvironment, systemDefaultValues.spnOnboarding=false,
 * clusterconnect-agent.enabled=true, azureArcAgents.autoUpdate=false, and the proxy values: the
 * proxy URLs with isProxyEnabled only when one of them is set, proxyCert with isCustomCert) and
 * `enable_features` in custom.py for Azure RBAC (systemDefaultValues.guard.enabled=true,
 * guard.authnMode=arc, guard.skipAuthzCheck). Values in a map need none of the `\,` escaping the
 * CLI applies for `--set`. The dataplane-endpoint overrides the CLI adds only when ARM metadata
 * lists `dataplaneEndpoints.arcConfigEndpoint` (sovereign and Azure Stack clouds) do not apply to
 * the public cloud.
 */
export function arcAgentValues(args: ArcAgentValuesArgs): Record<string, unknown> {
    const proxy = args.proxy;
    const proxied = Boolean(proxy?.httpsProxy || proxy?.httpProxy || proxy?.noProxy);
    return {
        global: {
            subscriptionId: args.subscriptionId,
            tenantId: args.tenantId,
            resourceGroupName: args.resourceGroupName,
            resourceName: args.resourceName,
            location: args.location,
            kubernetesDistro: args.distribution,
            kubernetesInfra: args.infrastructure,
            azureEnvironment: "AZUREPUBLICCLOUD",
            onboardingPrivateKey: args.onboardingPrivateKey,
            ...(proxy?.httpsProxy ? { httpsProxy: proxy.httpsProxy } : {}),
            ...(proxy?.httpProxy ? { httpProxy: proxy.httpProxy } : {}),
            ...(proxy?.noProxy ? { noProxy: proxy.noProxy } : {}),
            ...(proxied ? { isProxyEnabled: true } : {}),
            ...(proxy?.certificate ? { proxyCert: proxy.certificate, isCustomCert: true } : {}),
        },
        systemDefaultValues: {
            spnOnboarding: false,
            azureArcAgents: { autoUpdate: false },
            "clusterconnect-agent": { enabled: true },
            ...(args.azureRbac
                ? {
                      guard: {
                          enabled: true,
                          // PoP tokens and Microsoft's first-party Arc RBAC apps: no app id or secret.
                          authnMode: "arc",
                          skipAuthzCheck: args.azureRbacSkipList.join(","),
                      },
                  }
                : {}),
        },
    };
}

export interface ArcProxy {
    readonly httpsProxy?: string;
    readonly httpProxy?: string;
    /** Comma-separated hosts and ranges that bypass the proxy (keep the cluster's service CIDR here). */
    readonly noProxy?: string;
    /** PEM of the proxy's CA certificate. */
    readonly certificate?: pulumi.Input<string>;
}

/** Where the site is projected into Azure, and the agents that connect it. */
export interface EdgeArcArgs {
    /** Resource group of the connected cluster: the fleet's, where the fleet's policies apply. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure location of the connected cluster resource. */
    readonly location: string;
    readonly subscriptionId: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    /** Version of the `azure-arc-k8sagents` chart, pinned. */
    readonly agentChartVersion: string;
    /** @default the Azure CLI's public-cloud chart */
    readonly agentChart?: string;
    /** Proxy the agents reach Azure through. @default none */
    readonly proxy?: ArcProxy;
}

/** Registration into the GKE fleet as an attached cluster. */
export interface EdgeAnthosArgs {
    /** Fleet host project. */
    readonly project: string;
    /** The host project's number, looked up once for the whole fleet. */
    readonly projectNumber: pulumi.Input<string>;
    /** Google Cloud region that hosts the attached cluster resource. */
    readonly location: string;
    /** Attached clusters platform version, e.g. 1.31.0-gke.1. */
    readonly platformVersion: string;
    /** The cluster's service account issuer (https). */
    readonly oidcIssuerUrl: string;
    /** The issuer's JWKS, for issuers not reachable from the internet. @default none */
    readonly jwks?: pulumi.Input<string>;
    /** Google users granted cluster-admin through the Connect gateway. @default [] */
    readonly adminUsers?: readonly string[];
}

export interface EdgeClusterArgs {
    /** Kubeconfig of the site's cluster: a Pulumi secret. */
    readonly kubeconfig: pulumi.Input<string>;
    /** @default "generic" */
    readonly distribution?: (typeof ARC_DISTRIBUTIONS)[number];
    /** @default "generic" */
    readonly infrastructure?: (typeof ARC_INFRASTRUCTURES)[number];
    /**
     * Azure RBAC inside the cluster: the agents run the guard, the cluster's identity may call
     * checkAccess, and Azure role assignments (the fleet's Arc admin and viewer roles) decide
     * what a signed-in user may do. The site's API server must still be pointed at the guard's
     * webhooks by its operator (docs/edge.md#azure-rbac-inside-the-clusters). Not possible on
     * EKS, GKE and OpenShift.
     * @default true, except for the distributions in AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS
     */
    readonly azureRbac?: boolean;
    /**
     * Users, groups or OIDs whose requests the guard leaves to Kubernetes RBAC (the CLI's
     * `--skip-azure-rbac-list`), e.g. a break-glass admin. @default []
     */
    readonly azureRbacSkipList?: readonly string[];
    /** Azure Arc onboarding (every site is connected to Arc). */
    readonly arc: EdgeArcArgs;
    /** GKE fleet registration. @default none: the site is in Arc only */
    readonly anthos?: EdgeAnthosArgs;
    /** Tags of the connected cluster (the fleet's tags and the site's labels). @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateEdgeClusterArgs(name: string, args: EdgeClusterArgs): string[] {
    const problems: string[] = [];
    // Both an Azure connected cluster name and a GKE membership id.
    if (!EDGE_SITE_NAME.test(name)) {
        problems.push(`name '${name}' ${EDGE_SITE_NAME_RULE}`);
    }
    if (typeof args.kubeconfig === "string") {
        const problem = kubeconfigProblem(args.kubeconfig);
        if (problem) problems.push(`kubeconfig ${problem}`);
    }
    if (
        args.distribution !== undefined &&
        !(ARC_DISTRIBUTIONS as readonly string[]).includes(args.distribution)
    ) {
        problems.push(
            `distribution '${args.distribution}' must be one of ${ARC_DISTRIBUTIONS.join(", ")}`,
        );
    }
    if (
        args.infrastructure !== undefined &&
        !(ARC_INFRASTRUCTURES as readonly string[]).includes(args.infrastructure)
    ) {
        problems.push(
            `infrastructure '${args.infrastructure}' must be one of ${ARC_INFRASTRUCTURES.join(", ")}`,
        );
    }
    const distribution = args.distribution ?? EDGE_SITE_DEFAULTS.distribution;
    if (args.azureRbac === true && !defaultAzureRbac(distribution)) {
        problems.push(
            `azureRbac is true, but Azure RBAC cannot work on ${args.distribution} (its API server cannot be pointed at the guard's webhooks): set azureRbac to false`,
        );
    }
    for (const entry of args.azureRbacSkipList ?? []) {
        if (!AZURE_RBAC_SKIP_ENTRY.test(entry)) {
            problems.push(`azureRbacSkipList entry '${entry}' ${AZURE_RBAC_SKIP_ENTRY_RULE}`);
        }
    }
    if (!args.arc.agentChartVersion?.trim()) {
        problems.push(
            "arc.agentChartVersion is empty: pin the azure-arc-k8sagents chart version the agents run",
        );
    }
    if (args.anthos) {
        if (!HTTPS_URL.test(args.anthos.oidcIssuerUrl)) {
            problems.push(
                `anthos.oidcIssuerUrl '${args.anthos.oidcIssuerUrl}' ${OIDC_ISSUER_URL_RULE}`,
            );
        }
        if (!ATTACHED_PLATFORM_VERSION.test(args.anthos.platformVersion)) {
            problems.push(
                `anthos.platformVersion '${args.anthos.platformVersion}' ${ATTACHED_PLATFORM_VERSION_RULE}`,
            );
        }
    }
    return problems;
}

/** The attached clusters distribution of an Arc distribution: EKS and AKS by name, else generic. */
export function attachedDistribution(
    distribution: (typeof ARC_DISTRIBUTIONS)[number],
): "eks" | "aks" | "generic" {
    return distribution === "eks" || distribution === "aks" ? distribution : "generic";
}

/**
 * `agentPublicKeyCertificate` as the Azure CLI sends it: the base64 of the DER-encoded PKCS#1
 * RSAPublicKey (the sequence of modulus and exponent), not a PEM and not SPKI.
 */
export function agentPublicKeyCertificate(publicKeyPem: string): string {
    return createPublicKey(publicKeyPem)
        .export({ type: "pkcs1", format: "der" })
        .toString("base64");
}

/**
 * An edge site's cluster, onboarded declaratively: `pulumi up` alone connects it to Azure Arc
 * (no `az connectedk8s connect`) and, with `anthos`, attaches it to the GKE fleet. Azure
 * providers come from `opts` (`providers`), the site's Kubernetes provider is made here.
 */
export class EdgeCluster extends pulumi.ComponentResource {
    public readonly connectedClusterId: pulumi.Output<string>;
    /** The fleet membership, when the site is attached to the GKE fleet. */
    public readonly membershipId: pulumi.Output<string | undefined>;

    constructor(name: string, args: EdgeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("EdgeCluster", name, validateEdgeClusterArgs(name, args));
        super("multicloud:edge:EdgeCluster", name, {}, opts);

        const distribution = args.distribution ?? EDGE_SITE_DEFAULTS.distribution;
        const infrastructure = args.infrastructure ?? EDGE_SITE_DEFAULTS.infrastructure;
        const azureRbac = args.azureRbac ?? defaultAzureRbac(distribution);
        const azureRbacSkipList = args.azureRbacSkipList ?? [];
        const arc = args.arc;
        const parent = { parent: this };

        const kubernetes = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: pulumi.secret(args.kubeconfig), enableServerSideApply: true },
            parent,
        );

        // The agents authenticate their onboarding with this key; it lives in (encrypted) state.
        const key = new tls.PrivateKey(
            `${name}-agent-key`,
            { algorithm: "RSA", rsaBits: 4096 },
            parent,
        );
        const cluster = new azure.kubernetes.ConnectedCluster(
            name,
            {
                resourceGroupName: arc.resourceGroupName,
                clusterName: name,
                location: arc.location,
                identity: { type: "SystemAssigned" },
                distribution,
                infrastructure,
                agentPublicKeyCertificate: key.publicKeyPem.apply(agentPublicKeyCertificate),
                // The chart version is pinned in config: the agents must not upgrade themselves.
                arcAgentProfile: { agentAutoUpgrade: "Disabled" },
                // Says what the agents' guard does (below); the ARM property alone installs nothing.
                ...(azureRbac
                    ? { aadProfile: { enableAzureRBAC: true, tenantID: arc.tenantId } }
                    : {}),
                tags: { ...args.tags },
            },
            parent,
        );

        // The guard asks Azure (checkAccess) as the cluster's own identity, which needs this role
        // on the cluster; without it every request the guard authorizes is denied. Named from
        // the cluster and its identity: the same name on every run, a new one if either changes.
        const grants: pulumi.Resource[] = [];
        if (azureRbac) {
            const principalId = cluster.identity.apply((i) => i?.principalId ?? "");
            const roleDefinitionId = pulumi.interpolate`/subscriptions/${arc.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${CHECK_ACCESS_READER_ROLE_ID}`;
            grants.push(
                new azure.authorization.RoleAssignment(
                    `${name}-guard-checkaccess`,
                    {
                        scope: cluster.id,
                        roleDefinitionId,
                        principalId,
                        principalType: "ServicePrincipal",
                        roleAssignmentName: pulumi
                            .all([cluster.id, principalId])
                            .apply(([id, principal]) =>
                                roleAssignmentName(id, CHECK_ACCESS_READER_ROLE_ID, principal),
                            ),
                    },
                    parent,
                ),
            );
        }

        // Created after the connected cluster, as `az connectedk8s connect` does (PUT, then
        // `helm upgrade --install --wait`). On destroy Pulumi uninstalls the agents first and
        // then deletes the resource (the CLI deletes the resource first): see
        // docs/edge.md#the-arc-agents-and-removing-a-site. The timeout bounds both the install
        // and the uninstall's wait.
        new k8s.helm.v3.Release(
            `${name}-arc-agents`,
            {
                name: ARC_RELEASE.name,
                namespace: ARC_RELEASE.namespace,
                createNamespace: true,
                chart: arc.agentChart ?? ARC_AGENTS_CHART,
                version: arc.agentChartVersion,
                // Edge clusters pull the agent images slowly: give the install time.
                timeout: 900,
                values: arcAgentValues({
                    subscriptionId: arc.subscriptionId,
                    tenantId: arc.tenantId,
                    resourceGroupName: arc.resourceGroupName,
                    resourceName: cluster.name,
                    location: arc.location,
                    distribution,
                    infrastructure,
                    // PKCS#1 PEM ("BEGIN RSA PRIVATE KEY") of the same key, as the CLI sends it.
                    onboardingPrivateKey: pulumi.secret(key.privateKeyPem),
                    azureRbac,
                    azureRbacSkipList,
                    proxy: arc.proxy,
                }),
            },
            { parent: this, provider: kubernetes, dependsOn: [cluster, ...grants] },
        );

        this.connectedClusterId = cluster.id;
        this.membershipId = args.anthos
            ? attachCluster(
                  name,
                  { ...args.anthos, distribution: attachedDistribution(distribution) },
                  this,
                  kubernetes,
              )
            : pulumi.output(undefined);
        this.registerOutputs({
            connectedClusterId: this.connectedClusterId,
            membershipId: this.membershipId,
        });
    }
}
