/**
 * components/azure/podSecurity.ts: the namespaces the fleet's pod security baseline leaves alone,
 * the config's default and ArcGovernance's (ArcGovernance.test.ts plans the assignment).
 *
 * The rules: the built-in initiative _Kubernetes cluster pod security baseline standards for
 * Linux-based workloads_ (a8640138-..., Azure/azure-policy built-in-policies/
 * policySetDefinitions/Kubernetes/PSPBaselineStandard.json) defaults `excludedNamespaces` to
 * four namespaces, and a list set on the assignment replaces that default; its policies always
 * exempt kube-system, gatekeeper-system and azure-arc whatever the list. A namespace name is an
 * RFC 1123 DNS label (Kubernetes, "Namespaces": lowercase letters, digits and '-', at most 63
 * characters, starting and ending with a letter or digit).
 */
import {
    DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES,
    excludedNamespacesProblems,
    POD_SECURITY_BUILTIN_EXCLUDED_NAMESPACES,
} from "../../../components/azure/podSecurity";

describe("the pod security baseline's excluded namespaces", () => {
    it("keeps the initiative's own default and adds the namespaces of what the fleet delivers", () => {
        // Setting the parameter replaces the initiative's default, so the list must keep those
        // four (azure-extensions-usage-system is not among those Azure always excludes).
        expect(POD_SECURITY_BUILTIN_EXCLUDED_NAMESPACES).toEqual([
            "kube-system",
            "gatekeeper-system",
            "azure-arc",
            "azure-extensions-usage-system",
        ]);
        expect(DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES).toEqual([
            ...POD_SECURITY_BUILTIN_EXCLUDED_NAMESPACES,
            // Flux's controllers and the fleet-gitops configuration.
            "flux-system",
            // Config Sync, where edge.gitops is configsync.
            "config-management-system",
            "config-management-monitoring",
            "resource-group-system",
        ]);
    });

    it("accepts the default list and any list of namespace names, each once", () => {
        expect(excludedNamespacesProblems(DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES)).toEqual([]);
        expect(excludedNamespacesProblems([])).toEqual([]);
        expect(excludedNamespacesProblems(["ingress-nginx", "a", "x".repeat(63)])).toEqual([]);
    });

    it("names every namespace that is no DNS label, under the caller's key", () => {
        const key = "azure.podSecurity.excludedNamespaces";
        expect(
            excludedNamespacesProblems(
                ["Ingress", "longhorn_system", "-edge", "edge-", "x".repeat(64)],
                key,
            ),
        ).toEqual(
            ["Ingress", "longhorn_system", "-edge", "edge-", "x".repeat(64)].map(
                (ns) =>
                    `${key}: '${ns}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)`,
            ),
        );
    });

    it("names each repeat once, and an invalid name only as invalid", () => {
        expect(
            excludedNamespacesProblems([
                "kube-system",
                "Edge",
                "kube-system",
                "Edge",
                "kube-system",
            ]),
        ).toEqual([
            "excludedNamespaces: 'Edge' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)",
            "excludedNamespaces: 'Edge' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)",
            "excludedNamespaces: 'kube-system' is listed twice; remove the repeat",
            "excludedNamespaces: 'kube-system' is listed twice; remove the repeat",
        ]);
    });
});
