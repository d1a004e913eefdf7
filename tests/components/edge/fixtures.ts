/**
 * What the edge component tests share: the resource types they read, and the least an
 * EdgeCluster needs (a kubeconfig with a current context, the Arc settings of its Azure side).
 */

/** The resource types the tests read. */
export const T = {
    edge: "multicloud:edge:EdgeCluster",
    cc: "azure-native:kubernetes:ConnectedCluster",
    release: "kubernetes:helm.sh/v3:Release",
    provider: "pulumi:providers:kubernetes",
    key: "tls:index/privateKey:PrivateKey",
    bootstrap: "kubernetes:yaml/v2:ConfigGroup",
    attached: "gcp:container/attachedCluster:AttachedCluster",
    ext: "azure-native:kubernetesconfiguration:Extension",
    flux: "azure-native:kubernetesconfiguration:FluxConfiguration",
    association: "azure-native:monitor:DataCollectionRuleAssociation",
    policy: "azure-native:authorization:PolicyAssignment",
    role: "azure-native:authorization:RoleAssignment",
    workspace: "azure-native:operationalinsights:Workspace",
} as const;

/** A kubeconfig with a current context that exists: all EdgeCluster reads of it. */
export const KUBECONFIG = "current-context: a\ncontexts: [{ name: a }]\n";

/** The Arc settings every EdgeCluster needs, with the agents pinned. */
export const ARC = {
    resourceGroupName: "edge",
    location: "westeurope",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    tenantId: "00000000-0000-0000-0000-000000000002",
    agentChartVersion: "1.30.1",
};
