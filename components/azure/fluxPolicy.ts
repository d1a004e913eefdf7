/**
 * The custom DeployIfNotExists definition that gives every Arc cluster of the fleet Flux: the
 * `microsoft.flux` extension AND the `fleet-gitops` Flux configuration, in one deployment where
 * the configuration depends on the extension (SDK-free JSON, built here and assigned by
 * ArcGovernance).
 *
 * It replaces two built-in definitions that were assigned separately, with the same evaluation
 * delay, so the configuration's deployment could run before the extension existed, fail, and
 * leave the cluster non-compliant until someone remediated by hand:
 * - _Configure installation of Flux extension on Kubernetes cluster_
 *   (`f9175d5f-abc8-1dc3-bd3c-5d7476ada3d1`, Azure/azure-policy
 *   built-in-policies/policyDefinitions/Kubernetes/Deploy-GitOps-Flux2-Extension-to-Kubernetes-cluster_DINE.json);
 * - _Configure Kubernetes clusters with Flux v2 configuration using public Git repository_
 *   (`83ea2fd1-9eaf-2f6d-f672-cd7b2ac798f6`,
 *   built-in-policies/policyDefinitions/Kubernetes/Deploy-GitOps-Flux2-to-Kubernetes-cluster-no-secrets_DINE.json).
 *
 * What they did is kept: the extension is named `flux` (as the built-in and
 * `az k8s-configuration flux create` name it, so a cluster that already has it is updated in
 * place, not given a second `microsoft.flux` extension), with a system identity, the Stable
 * train and minor auto-upgrades; the configuration's existence condition checks what the
 * built-in checks (scope, namespace, URL, repository timeout and interval, branch, not
 * Failed); both built-ins name Contributor for remediation.
 */

/** Every Arc cluster: the resource type the fleet's DeployIfNotExists policies act on. */
export const CONNECTED_CLUSTERS = "Microsoft.Kubernetes/connectedClusters";
/** The ARM `scope` of a resource the remediation deploys into the cluster being remediated. */
export const CLUSTER_SCOPE = `[concat('${CONNECTED_CLUSTERS}/', parameters('clusterName'))]`;
/** Role: Contributor, which both built-in Flux definitions name for remediation. */
export const CONTRIBUTOR_ROLE = "b24988ac-6180-42a0-ab88-20f7382dd24c";

/**
 * `Microsoft.KubernetesConfiguration` API version of both resources: the one the azure-native
 * SDK in use resolves `kubernetesconfiguration.Extension` and `.FluxConfiguration` to (2023-05-01,
 * stable; the built-ins still deploy 2022-03-01).
 */
export const KUBERNETES_CONFIGURATION_API_VERSION = "2023-05-01";

/** The Flux configuration on every cluster: fixed, so every cluster is alike. */
export const FLUX_CONFIGURATION = {
    /** The extension's resource name (the built-in's and the Azure CLI's). */
    extensionName: "flux",
    name: "fleet-gitops",
    namespace: "flux-system",
    scope: "cluster",
    kustomizationName: "cluster",
} as const;

/**
 * The definition's parameters. The three without a default are what each assignment sets (the
 * fleet repository); the rest keep the values the fleet always used.
 *
 * Azure's rule for an assigned definition: a parameter may be added only with a `defaultValue`,
 * and none may be removed ("Adding or removing parameters",
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-parameters).
 */
export const FLUX_POLICY_PARAMETERS = {
    repositoryUrl: {
        type: "String",
        metadata: {
            displayName: "Repository URL",
            description: "The public https URL of the Git repository every cluster syncs.",
        },
    },
    repositoryRefBranch: {
        type: "String",
        metadata: { displayName: "Branch", description: "The branch every cluster syncs." },
    },
    kustomizationPath: {
        type: "String",
        metadata: {
            displayName: "Kustomization path",
            description: "The path in the repository the Kustomization applies.",
        },
    },
    repositorySyncInterval: {
        type: "Integer",
        metadata: { displayName: "Repository sync interval (seconds)" },
        defaultValue: 300,
    },
    repositoryTimeout: {
        type: "Integer",
        metadata: { displayName: "Repository timeout (seconds)" },
        defaultValue: 600,
    },
    kustomizationSyncInterval: {
        type: "Integer",
        metadata: { displayName: "Kustomization sync interval (seconds)" },
        defaultValue: 300,
    },
    kustomizationTimeout: {
        type: "Integer",
        metadata: { displayName: "Kustomization timeout (seconds)" },
        defaultValue: 600,
    },
    kustomizationRetryInterval: {
        type: "Integer",
        metadata: { displayName: "Kustomization retry interval (seconds)" },
        defaultValue: 600,
    },
    kustomizationPrune: {
        type: "Boolean",
        metadata: { displayName: "Kustomization prune" },
        defaultValue: true,
    },
} as const;

const FLUX_CONFIGURATIONS = "Microsoft.KubernetesConfiguration/fluxConfigurations";
const field = (path: string) => `${FLUX_CONFIGURATIONS}/${path}`;
const param = (name: keyof typeof FLUX_POLICY_PARAMETERS) => `[parameters('${name}')]`;

/**
 * The rule: for every connected cluster without a healthy `fleet-gitops`-like Flux
 * configuration, deploy the Flux extension and then (`dependsOn`) the configuration.
 */
export const FLUX_POLICY_RULE = {
    if: { field: "type", equals: CONNECTED_CLUSTERS },
    then: {
        effect: "DeployIfNotExists",
        details: {
            type: FLUX_CONFIGURATIONS,
            // Once the cluster is provisioned, as the Azure Policy extension and Container
            // Insights policies wait: an extension needs the cluster's agents.
            evaluationDelay: "AfterProvisioning",
            roleDefinitionIds: [
                `/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR_ROLE}`,
            ],
            // What the built-in (83ea2fd1) checks, with this fleet's fixed scope and namespace.
            existenceCondition: {
                allOf: [
                    { field: field("scope"), equals: FLUX_CONFIGURATION.scope },
                    { field: field("namespace"), equals: FLUX_CONFIGURATION.namespace },
                    { field: field("gitRepository.url"), equals: param("repositoryUrl") },
                    {
                        field: field("gitRepository.timeoutInSeconds"),
                        equals: param("repositoryTimeout"),
                    },
                    {
                        field: field("gitRepository.syncIntervalInSeconds"),
                        equals: param("repositorySyncInterval"),
                    },
                    {
                        field: field("gitRepository.repositoryRef.branch"),
                        equals: param("repositoryRefBranch"),
                    },
                    { field: field("provisioningState"), notEquals: "Failed" },
                ],
            },
            deployment: {
                properties: {
                    mode: "incremental",
                    parameters: {
                        clusterName: { value: "[field('name')]" },
                        ...Object.fromEntries(
                            Object.keys(FLUX_POLICY_PARAMETERS).map((p) => [
                                p,
                                { value: `[parameters('${p}')]` },
                            ]),
                        ),
                    },
                    template: {
                        $schema:
                            "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                        contentVersion: "1.0.0.0",
                        parameters: {
                            clusterName: { type: "string" },
                            repositoryUrl: { type: "string" },
                            repositoryRefBranch: { type: "string" },
                            kustomizationPath: { type: "string" },
                            repositorySyncInterval: { type: "int" },
                            repositoryTimeout: { type: "int" },
                            kustomizationSyncInterval: { type: "int" },
                            kustomizationTimeout: { type: "int" },
                            kustomizationRetryInterval: { type: "int" },
                            kustomizationPrune: { type: "bool" },
                        },
                        resources: [
                            {
                                type: "Microsoft.KubernetesConfiguration/extensions",
                                apiVersion: KUBERNETES_CONFIGURATION_API_VERSION,
                                name: FLUX_CONFIGURATION.extensionName,
                                scope: CLUSTER_SCOPE,
                                identity: { type: "SystemAssigned" },
                                // No `scope` or `version`, as in the built-in: an existing
                                // extension is updated in place, and neither may change there.
                                properties: {
                                    extensionType: "microsoft.flux",
                                    autoUpgradeMinorVersion: true,
                                    releaseTrain: "Stable",
                                },
                            },
                            {
                                type: FLUX_CONFIGURATIONS,
                                apiVersion: KUBERNETES_CONFIGURATION_API_VERSION,
                                name: FLUX_CONFIGURATION.name,
                                scope: CLUSTER_SCOPE,
                                // The configuration needs the extension: deploy it first.
                                dependsOn: [
                                    `[extensionResourceId(resourceId('${CONNECTED_CLUSTERS}', parameters('clusterName')), 'Microsoft.KubernetesConfiguration/extensions', '${FLUX_CONFIGURATION.extensionName}')]`,
                                ],
                                properties: {
                                    scope: FLUX_CONFIGURATION.scope,
                                    namespace: FLUX_CONFIGURATION.namespace,
                                    sourceKind: "GitRepository",
                                    suspend: false,
                                    gitRepository: {
                                        url: "[parameters('repositoryUrl')]",
                                        timeoutInSeconds: "[parameters('repositoryTimeout')]",
                                        syncIntervalInSeconds:
                                            "[parameters('repositorySyncInterval')]",
                                        repositoryRef: {
                                            branch: "[parameters('repositoryRefBranch')]",
                                        },
                                    },
                                    kustomizations: {
                                        [FLUX_CONFIGURATION.kustomizationName]: {
                                            path: "[parameters('kustomizationPath')]",
                                            timeoutInSeconds:
                                                "[parameters('kustomizationTimeout')]",
                                            syncIntervalInSeconds:
                                                "[parameters('kustomizationSyncInterval')]",
                                            retryIntervalInSeconds:
                                                "[parameters('kustomizationRetryInterval')]",
                                            prune: "[parameters('kustomizationPrune')]",
                                            force: false,
                                        },
                                    },
                                },
                            },
                        ],
                    },
                },
            },
        },
    },
} as const;
