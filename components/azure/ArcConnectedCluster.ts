import * as azure from "@pulumi/azure-native";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { createPublicKey } from "crypto";
import * as YAML from "yaml";
import { GIT_URL } from "../formats";
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

export interface ArcGitSource {
    /** https or ssh URL of the repository Flux syncs. */
    readonly url: string;
    /** @default "main" */
    readonly branch?: string;
    /** Folder of the kustomization Flux applies. @default "./gitops/cluster" */
    readonly path?: string;
}

export interface ArcConnectedClusterArgs {
    /** Resource group of the connected cluster. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure location of the connected cluster resource. */
    readonly location: string;
    readonly subscriptionId: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    /** Kubeconfig of the cluster: a Pulumi secret. */
    readonly kubeconfig: pulumi.Input<string>;
    /** @default "generic" */
    readonly distribution?: (typeof ARC_DISTRIBUTIONS)[number];
    /** @default "generic" */
    readonly infrastructure?: (typeof ARC_INFRASTRUCTURES)[number];
    /** Version of the `azure-arc-k8sagents` chart, pinned. */
    readonly agentChartVersion: string;
    /** @default the Azure CLI's public-cloud chart */
    readonly agentChart?: string;
    /** Proxy the agents reach Azure through. @default none */
    readonly proxy?: ArcProxy;
    /** Where Container Insights reports: the fleet's workspace and its data collection rule. */
    readonly containerInsights: {
        readonly workspaceId: pulumi.Input<string>;
        readonly dataCollectionRuleId: pulumi.Input<string>;
    };
    /** What Flux syncs into the cluster. */
    readonly git: ArcGitSource;
    /** @default {} */
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
export function validateArcConnectedClusterArgs(
    name: string,
    args: ArcConnectedClusterArgs,
): string[] {
    const problems: string[] = [];
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-_]{0,61}[a-zA-Z0-9])?$/.test(name)) {
        problems.push(
            `name '${name}' must be 1-63 letters, digits, - or _ (an Azure connected cluster name)`,
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
    if (!args.agentChartVersion?.trim()) {
        problems.push(
            "agentChartVersion is empty: pin the azure-arc-k8sagents chart version the agents run",
        );
    }
    if (!GIT_URL.test(args.git.url)) {
        problems.push(
            `git.url '${args.git.url}' must be an https or ssh git URL (plain http is refused)`,
        );
    }
    return problems;
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
 * A cluster that runs outside Azure, projected into Azure Resource Manager by Azure Arc,
 * declaratively: `pulumi up` alone onboards it (no `az connectedk8s connect`). Holds the agents'
 * key pair in state, creates the connected cluster, installs the Arc agents with the values the
 * Azure CLI sets, then the Flux, Azure Policy and Container Insights extensions, and a Flux
 * configuration syncing the fleet's GitOps tree.
 */
export class ArcConnectedCluster extends pulumi.ComponentResource {
    public readonly connectedClusterId: pulumi.Output<string>;
    public readonly connectedClusterName: pulumi.Output<string>;

    constructor(
        name: string,
        args: ArcConnectedClusterArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        throwIfInvalid("ArcConnectedCluster", name, validateArcConnectedClusterArgs(name, args));
        super("multicloud:azure:ArcConnectedCluster", name, {}, opts);

        const distribution = args.distribution ?? "generic";
        const infrastructure = args.infrastructure ?? "generic";
        const git = {
            url: args.git.url,
            branch: args.git.branch ?? "main",
            path: args.git.path ?? "./gitops/cluster",
        };
        const parent = { parent: this };

        // The agents authenticate their onboarding with this key; it lives in (encrypted) state.
        const key = new tls.PrivateKey(
            `${name}-agent-key`,
            { algorithm: "RSA", rsaBits: 4096 },
            parent,
        );

        const cluster = new azure.kubernetes.ConnectedCluster(
            name,
            {
                resourceGroupName: args.resourceGroupName,
                clusterName: name,
                location: args.location,
                identity: { type: "SystemAssigned" },
                distribution,
                infrastructure,
                agentPublicKeyCertificate: key.publicKeyPem.apply(agentPublicKeyCertificate),
                // The chart version is pinned in config: the agents must not upgrade themselves.
                arcAgentProfile: { agentAutoUpgrade: "Disabled" },
                // Azure RBAC: the role assignments on the group decide who may do what in the cluster.
                aadProfile: { enableAzureRBAC: true, tenantID: args.tenantId },
                tags: { ...args.tags },
            },
            parent,
        );

        const k8sProvider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: pulumi.secret(args.kubeconfig), enableServerSideApply: true },
            parent,
        );
        const proxy = args.proxy;
        const agents = new k8s.helm.v3.Release(
            `${name}-arc-agents`,
            {
                name: ARC_RELEASE.name,
                namespace: ARC_RELEASE.namespace,
                createNamespace: true,
                chart: args.agentChart ?? ARC_AGENTS_CHART,
                version: args.agentChartVersion,
                // Edge clusters pull the agent images slowly: give the install time.
                timeout: 900,
                values: {
                    global: {
                        subscriptionId: args.subscriptionId,
                        tenantId: args.tenantId,
                        resourceGroupName: args.resourceGroupName,
                        resourceName: cluster.name,
                        location: args.location,
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
            { parent: this, provider: k8sProvider, dependsOn: [cluster] },
        );

        // Extension names as the Azure CLI and the built-in policies create them.
        const extension = (
            extensionName: string,
            extensionType: string,
            extra: Partial<azure.kubernetesconfiguration.ExtensionArgs> = {},
        ) =>
            new azure.kubernetesconfiguration.Extension(
                `${name}-${extensionName}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    clusterRp: "Microsoft.Kubernetes",
                    clusterResourceName: "connectedClusters",
                    clusterName: cluster.name,
                    extensionName,
                    extensionType,
                    autoUpgradeMinorVersion: true,
                    releaseTrain: "Stable",
                    identity: { type: "SystemAssigned" },
                    ...extra,
                },
                // Extensions need the agents running in the cluster.
                { parent: this, dependsOn: [agents] },
            );
        const flux = extension("flux", "microsoft.flux", {
            scope: { cluster: { releaseNamespace: "flux-system" } },
        });
        extension("azurepolicy", "Microsoft.PolicyInsights", {
            scope: { cluster: { releaseNamespace: "kube-system" } },
        });
        const insights = extension("azuremonitor-containers", "Microsoft.AzureMonitor.Containers", {
            scope: { cluster: { releaseNamespace: "azuremonitor-containers" } },
            configurationSettings: {
                logAnalyticsWorkspaceResourceID: args.containerInsights.workspaceId,
                // Managed identity ingestion through the data collection rule (key-based is retired).
                "amalogs.useAADAuth": "true",
            },
        });
        new azure.monitor.DataCollectionRuleAssociation(
            `${name}-container-insights`,
            {
                resourceUri: cluster.id,
                associationName: "ContainerInsightsExtension",
                dataCollectionRuleId: args.containerInsights.dataCollectionRuleId,
            },
            { parent: this, dependsOn: [insights] },
        );

        new azure.kubernetesconfiguration.FluxConfiguration(
            `${name}-gitops`,
            {
                resourceGroupName: args.resourceGroupName,
                clusterRp: "Microsoft.Kubernetes",
                clusterResourceName: "connectedClusters",
                clusterName: cluster.name,
                fluxConfigurationName: "fleet-gitops",
                scope: "cluster",
                namespace: "flux-system",
                sourceKind: "GitRepository",
                gitRepository: {
                    url: git.url,
                    repositoryRef: { branch: git.branch },
                    syncIntervalInSeconds: 300,
                    timeoutInSeconds: 600,
                },
                kustomizations: {
                    cluster: {
                        path: git.path,
                        prune: true,
                        syncIntervalInSeconds: 300,
                        timeoutInSeconds: 600,
                    },
                },
            },
            // Flux must be installed before any Flux configuration.
            { parent: this, dependsOn: [flux] },
        );

        this.connectedClusterId = cluster.id;
        this.connectedClusterName = cluster.name;
        this.registerOutputs({
            connectedClusterId: this.connectedClusterId,
            connectedClusterName: this.connectedClusterName,
        });
    }
}
