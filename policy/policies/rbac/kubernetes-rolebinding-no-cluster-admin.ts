import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, items, read, UNKNOWN } from "../types";

/** ClusterRoleBinding and RoleBinding, in every RBAC API version the SDK offers, patches included. */
const BINDING_TYPE =
    /^kubernetes:rbac\.authorization\.k8s\.io\/v1(?:alpha1|beta1)?:((?:Cluster)?RoleBinding)(?:Patch)?$/;

/** The group Kubernetes binds to cluster-admin itself (the cluster-admin ClusterRoleBinding). */
const MASTERS_GROUP = "system:masters";
/**
 * Control-plane users, authenticated only by client certificates the cluster CA issues to
 * components that run on the control plane (managed by the provider on GKE, EKS and AKS): a
 * binding to them gives no person or workload anything. kube-proxy and the nodes
 * (system:kube-proxy, system:node:<name>, system:nodes) are not among them: their credentials
 * sit on every worker node, where a compromised pod or node could use them.
 */
const CONTROL_PLANE_USERS = ["system:kube-controller-manager", "system:kube-scheduler"];
/** The namespace of the cluster's own components and add-ons. */
const SYSTEM_NAMESPACE = "kube-system";

interface Subject {
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
}

/** Whether cluster-admin may be bound to `subject`. */
function exempt(subject: Subject): boolean {
    const { kind, name, namespace } = subject;
    if (kind === "Group") return name === MASTERS_GROUP;
    if (kind === "ServiceAccount") return namespace === SYSTEM_NAMESPACE;
    if (kind === "User") {
        return (
            CONTROL_PLANE_USERS.includes(name) ||
            /^system:serviceaccount:kube-system:[^:]+$/.test(name)
        );
    }
    return false;
}

/** What a Kubernetes-managed user or group name stands for, for the message. */
function meaning({ kind, name }: Subject): string | undefined {
    if (kind === "Group") {
        if (name === "system:authenticated") return "every authenticated user";
        if (name === "system:unauthenticated") return "every anonymous request";
        if (name === "system:serviceaccounts") return "every service account of the cluster";
        if (name === "system:nodes") return "the kubelet of every node";
        const ns = /^system:serviceaccounts:(.+)$/.exec(name)?.[1];
        if (ns) return `every service account in namespace ${ns}`;
    } else if (kind === "User") {
        if (name === "system:anonymous") return "anonymous requests";
        const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(name);
        if (sa) return `service account ${sa[2]} in namespace ${sa[1]}`;
        const node = /^system:node:(.+)$/.exec(name)?.[1];
        if (node) return `the kubelet of node ${node}`;
    }
    return undefined;
}

/** The policy's config: subjects a vendor's own manifest binds to cluster-admin, accepted exactly. */
interface NoClusterAdminConfig {
    readonly exemptSubjects?: readonly Subject[];
}

/** Whether `subject` is one the config lists: same kind and name, and same namespace if given. */
function configured(subject: Subject, exempted: readonly Subject[]): boolean {
    return exempted.some(
        (e) =>
            e.kind === subject.kind &&
            e.name === subject.name &&
            (e.namespace === undefined || e.namespace === subject.namespace),
    );
}

export const kubernetesRolebindingNoClusterAdmin: ResourceValidationPolicy = {
    name: "kubernetes-rolebinding-no-cluster-admin",
    description: `Kubernetes ClusterRoleBindings and RoleBindings must not bind the cluster-admin role to anyone but the group ${MASTERS_GROUP}, the control-plane users ${CONTROL_PLANE_USERS.join(" and ")}, and service accounts of ${SYSTEM_NAMESPACE} (kind ServiceAccount, or User system:serviceaccount:${SYSTEM_NAMESPACE}:<name>), so no person, group (system:authenticated included) or application service account gets unrestricted access to the cluster. Subjects listed exactly (kind, name and, for service accounts, namespace) in the policy's exemptSubjects property are accepted too: a vendor's bootstrap manifest that needs cluster-admin, such as Google's attached-cluster installer, decided in review and named one by one.`,
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            exemptSubjects: {
                type: "array",
                default: [],
                description:
                    "Subjects that may hold cluster-admin besides the control plane's own, each matched exactly: kind (User, Group or ServiceAccount), name and, for a ServiceAccount, namespace. For vendor bootstrap manifests (such as the one Google's attached clusters apply), never for people or applications.",
                items: {
                    type: "object",
                    required: ["kind", "name"],
                    additionalProperties: false,
                    properties: {
                        kind: { type: "string", enum: ["User", "Group", "ServiceAccount"] },
                        name: { type: "string", minLength: 1 },
                        namespace: { type: "string", minLength: 1 },
                    },
                },
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const kind = BINDING_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        if (read(args.props, "roleRef.name") !== "cluster-admin") return;
        // A RoleBinding's ServiceAccount subjects default to the binding's namespace.
        const own = kind === "RoleBinding" ? read(args.props, "metadata.namespace") : undefined;
        const bindingNamespace = typeof own === "string" && own !== "" ? own : undefined;
        const exempted = args.getConfig<NoClusterAdminConfig>().exemptSubjects ?? [];
        const flagged: string[] = [];
        for (const s of items(read(args.props, "subjects"))) {
            if (!isRecord(s)) continue;
            const [k, name, ns] = [read(s, "kind"), read(s, "name"), read(s, "namespace")];
            // A subject computed from other resources is checked once it is known.
            if (k === UNKNOWN || name === UNKNOWN || ns === UNKNOWN) continue;
            const subject: Subject = {
                kind: typeof k === "string" ? k : "subject",
                name: typeof name === "string" ? name : "",
                namespace: typeof ns === "string" && ns !== "" ? ns : bindingNamespace,
            };
            if (subject.kind === "ServiceAccount" && !subject.namespace && own === UNKNOWN)
                continue;
            if (exempt(subject) || configured(subject, exempted)) continue;
            const means = meaning(subject);
            flagged.push(`${subject.kind} '${subject.name}'${means ? ` (${means})` : ""}`);
        }
        if (flagged.length === 0) return;
        reportViolation(
            `${kind} '${args.name}' binds cluster-admin to ${flagged.join(", ")}, which gives unrestricted access to the whole cluster: bind a ClusterRole (or, in a RoleBinding, a Role) that lists only the verbs and resources ${flagged.length > 1 ? "these subjects need" : "this subject needs"}, such as the built-in view or a role of your own.`,
        );
    },
};
