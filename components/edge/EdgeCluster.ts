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
import * as YAML from "yaml";
import { attachCluster } from "../gcp/HubMembership";
import { ATTACHED_PLATFORM_VERSION, HTTPS_URL } from "../formats";
import { throwIfInvalid } from "../validation";

/** Kubernetes distributions `az connectedk8s connect --distribution` accepts. */
export const ARC_DISTRIBUTIONS = [
    "aks",
    "aks_edge_k3s",
    "aks_edge_k8s",
    "aks_engine",
    "aks_hci",
    "aks_management",
    "aks_workload",
    "canonical",
    "capz",
    "eks",
    "gke",
    "k3s",
    "karbon",
    "kind",
    "minikube",
    "openshift",
    "rancher_rke",
    "tkg",
    "generic",
] as const;
/** Infrastructures `az connectedk8s connect --infrastructure` accepts. */
export const ARC_INFRASTRUCTURES = [
    "auto",
    "azure",
    "aws",
    "gcp",
    "azure_stack_hci",
    "azure_stack_hub",
    "azure_stack_edge",
    "vsphere",
    "windows_server",
    "generic",
] as const;

/**
 * Where `az connectedk8s connect` pulls the Arc agents chart from in the public cloud (the
 * stable train's repository path, with the `/v2/` the CLI inserts before the chart name).
 */
export const ARC_AGENTS_CHART =
    "oci://mcr.microsoft.com/azurearck8s/batch1/stable/v2/azure-arc-k8sagents";
/** The release and namespace the Azure CLI installs the agents as. */
export const ARC_RELEASE = { name: "azure-arc", namespace: "azure-arc-release" } as const;

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
    /** Azure Arc onboarding (every site is connected to Arc). */
    readonly arc: EdgeArcArgs;
    /** GKE fleet registration. @default none: the site is in Arc only */
    readonly anthos?: EdgeAnthosArgs;
    /** Tags of the connected cluster (the fleet's tags and the site's labels). @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The problem with a kubeconfig, or undefined when it names a current context that exists. */
export function kubeconfigProblem(text: string): string | undefined {
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (e) {
        return `is not YAML (${(e as Error).message.split("\n")[0]})`;
    }
    const config = doc as { "current-context"?: unknown; contexts?: { name?: unknown }[] } | null;
    if (!config || typeof config !== "object") return "is not a kubeconfig (a YAML mapping)";
    const current = config["current-context"];
    if (typeof current !== "string" || current === "")
        return "has no current-context: set one with `kubectl config use-context`";
    if (!(config.contexts ?? []).some((c) => c?.name === current)) {
        return `names current-context '${current}', which is not among its contexts`;
    }
    return undefined;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateEdgeClusterArgs(name: string, args: EdgeClusterArgs): string[] {
    const problems: string[] = [];
    // Both an Azure connected cluster name and a GKE membership id.
    if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
        problems.push(
            `name '${name}' must be a lowercase DNS label of up to 63 characters (a connected cluster name and a fleet membership id)`,
        );
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
    if (!args.arc.agentChartVersion?.trim()) {
        problems.push(
            "arc.agentChartVersion is empty: pin the azure-arc-k8sagents chart version the agents run",
        );
    }
    if (args.anthos) {
        if (!HTTPS_URL.test(args.anthos.oidcIssuerUrl)) {
            problems.push(
                `anthos.oidcIssuerUrl '${args.anthos.oidcIssuerUrl}' must be the cluster's https OIDC issuer URL`,
            );
        }
        if (!ATTACHED_PLATFORM_VERSION.test(args.anthos.platformVersion)) {
            problems.push(
                `anthos.platformVersion '${args.anthos.platformVersion}' must be an attached clusters version such as 1.31.0-gke.1`,
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

        const distribution = args.distribution ?? "generic";
        const infrastructure = args.infrastructure ?? "generic";
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
                // Azure RBAC: the role assignments on the group decide who may do what in the cluster.
                aadProfile: { enableAzureRBAC: true, tenantID: arc.tenantId },
                tags: { ...args.tags },
            },
            parent,
        );
        const proxy = arc.proxy;
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
                values: {
                    global: {
                        subscriptionId: arc.subscriptionId,
                        tenantId: arc.tenantId,
                        resourceGroupName: arc.resourceGroupName,
                        resourceName: cluster.name,
                        location: arc.location,
                        kubernetesDistro: distribution,
                        kubernetesInfra: infrastructure,
                        azureEnvironment: "AZUREPUBLICCLOUD",
                        // PKCS#1 PEM ("BEGIN RSA PRIVATE KEY") of the same key, as the CLI sends it.
                        onboardingPrivateKey: pulumi.secret(key.privateKeyPem),
                        ...(proxy
                            ? {
                                  isProxyEnabled: true,
                                  httpsProxy: proxy.httpsProxy,
                                  httpProxy: proxy.httpProxy,
                                  noProxy: proxy.noProxy,
                                  ...(proxy.certificate
                                      ? { proxyCert: proxy.certificate, isCustomCert: true }
                                      : {}),
                              }
                            : {}),
                    },
                    systemDefaultValues: {
                        spnOnboarding: false,
                        azureArcAgents: { autoUpdate: false },
                        "clusterconnect-agent": { enabled: true },
                    },
                },
            },
            { parent: this, provider: kubernetes, dependsOn: [cluster] },
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
