/**
 * The pod security baseline that ArcGovernance assigns to every Arc cluster of the fleet, and the
 * namespaces it leaves alone (SDK-free, so config can import the defaults).
 *
 * The built-in initiative _Kubernetes cluster pod security baseline standards for Linux-based
 * workloads_ (`a8640138-9b0a-4a28-b8cb-1666c838647d`, Azure/azure-policy
 * built-in-policies/policySetDefinitions/Kubernetes/PSPBaselineStandard.json) takes an
 * `excludedNamespaces` array (default `kube-system`, `gatekeeper-system`, `azure-arc`,
 * `azure-extensions-usage-system`) and passes it to each of its five policies. Its member
 * definitions say that `kube-system`, `gatekeeper-system` and `azure-arc` "are always excluded
 * by design" (e.g. built-in-policies/policyDefinitions/Kubernetes/ContainerNoPrivilege.json), so
 * a list that omits them still exempts them.
 */
import { DNS_LABEL } from "../formats";
import { repeatedProblems } from "../validation";

/** The initiative's own default for `excludedNamespaces` (PSPBaselineStandard.json, v1.4.0). */
export const POD_SECURITY_BUILTIN_EXCLUDED_NAMESPACES = [
    "kube-system",
    "gatekeeper-system",
    "azure-arc",
    "azure-extensions-usage-system",
] as const;

/**
 * Namespaces the pod security baseline does not check by default: the initiative's own default,
 * plus the namespaces of what this program itself delivers to every Arc cluster: Flux (the
 * `microsoft.flux` extension's controllers and the `fleet-gitops` configuration, in
 * `flux-system`) and, with `edge.gitops: configsync`, Config Sync (`config-management-system`,
 * `config-management-monitoring`, `resource-group-system`).
 *
 * Site-specific platform pods that need host access (an ingress controller with host ports, a
 * CNI, a storage driver, a node agent outside `kube-system`) are NOT listed: every excluded
 * namespace is one where anyone allowed to create pods, or to create that namespace, bypasses
 * the baseline, so add each site platform's namespace only after the audit shows it needs it.
 */
export const DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES: readonly string[] = [
    ...POD_SECURITY_BUILTIN_EXCLUDED_NAMESPACES,
    "flux-system",
    "config-management-system",
    "config-management-monitoring",
    "resource-group-system",
];

/** Problems with an `excludedNamespaces` list, each naming the argument; empty when valid. */
export function excludedNamespacesProblems(
    namespaces: readonly string[],
    key = "excludedNamespaces",
): string[] {
    return [
        ...namespaces
            .filter((namespace) => !DNS_LABEL.test(namespace))
            .map(
                (namespace) =>
                    `${key}: '${namespace}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)`,
            ),
        ...repeatedProblems(
            key,
            namespaces.filter((namespace) => DNS_LABEL.test(namespace)),
        ),
    ];
}
