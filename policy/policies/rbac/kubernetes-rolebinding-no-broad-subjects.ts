import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, items, read } from "../types";

/** ClusterRoleBinding and RoleBinding, in every RBAC API version the SDK offers, patches included. */
export const BINDING_TYPE =
    /^kubernetes:rbac\.authorization\.k8s\.io\/v1(?:alpha1|beta1)?:((?:Cluster)?RoleBinding)(?:Patch)?$/;

/** One subject of a binding, with its position in `subjects`. */
export interface Subject {
    readonly index: number;
    readonly kind: string;
    readonly name: string;
}

/**
 * The subjects of a binding whose kind and name are known (a subject computed from other
 * resources is checked once it is known).
 */
export function knownSubjects(props: unknown): Subject[] {
    const found: Subject[] = [];
    items(read(props, "subjects")).forEach((s, index) => {
        if (!isRecord(s)) return;
        const kind = read(s, "kind");
        const name = read(s, "name");
        if (typeof kind !== "string" || typeof name !== "string") return;
        found.push({ index, kind, name });
    });
    return found;
}

/** How messages name a subject: `subjects[1] Group 'developers'`. */
export function subjectText({ index, kind, name }: Subject): string {
    return `subjects[${index}] ${kind} '${name}'`;
}

/**
 * The names Kubernetes gives to everyone (kubernetes.io/docs/reference/access-authn-authz/rbac,
 * "Referring to subjects"; authentication, "Anonymous requests"): flagged as a User or a Group,
 * as the repository's gitops lint does.
 */
const EVERYONE: Readonly<Record<string, string>> = {
    "system:authenticated":
        "every authenticated user: on GKE, anyone signed in with a Google account",
    "system:unauthenticated": "every request without credentials",
    "system:anonymous": "every request without credentials",
};
/** The group of every service account of every namespace: every pod of the cluster. */
const ALL_SERVICE_ACCOUNTS = "system:serviceaccounts";

/** What a broad subject stands for, or undefined when it is not one of them. */
export function broadMeaning({ kind, name }: Subject): string | undefined {
    if (kind !== "User" && kind !== "Group") return undefined;
    if (Object.hasOwn(EVERYONE, name)) return EVERYONE[name];
    if (kind === "Group" && name === ALL_SERVICE_ACCOUNTS) {
        return "every service account of the cluster, so every pod of every namespace";
    }
    return undefined;
}

/** How messages name the role a binding grants: `ClusterRole 'view'`, or "its role". */
export function roleText(props: unknown): string {
    const kind = read(props, "roleRef.kind");
    const name = read(props, "roleRef.name");
    // A role computed from other resources (or left out of a patch) is named generically.
    if (typeof name !== "string" || name === "") return "its role";
    return `${typeof kind === "string" && kind ? kind : "role"} '${name}'`;
}

export const kubernetesRolebindingNoBroadSubjects: ResourceValidationPolicy = {
    name: "kubernetes-rolebinding-no-broad-subjects",
    description: `Kubernetes ClusterRoleBindings and RoleBindings must not bind any role to everyone: the groups system:authenticated (on GKE, any Google account) and system:unauthenticated, the user system:anonymous (each name as a User or a Group), or the group ${ALL_SERVICE_ACCOUNTS} (every pod of the cluster). Bindings to cluster-admin are left to kubernetes-rolebinding-no-cluster-admin; the group of one namespace's service accounts (system:serviceaccounts:<namespace>) is accepted, except with admin or edit (kubernetes-rolebinding-no-admin-edit).`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = BINDING_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        // kubernetes-rolebinding-no-cluster-admin flags every such subject of cluster-admin.
        if (read(args.props, "roleRef.name") === "cluster-admin") return;
        const flagged = knownSubjects(args.props).flatMap((s) => {
            const means = broadMeaning(s);
            return means ? [`${subjectText(s)} (${means})`] : [];
        });
        if (flagged.length === 0) return;
        reportViolation(
            `${kind} '${args.name}' binds ${roleText(args.props)} to ${flagged.join(", ")}, which gives its permissions to identities nobody chose (any new user, Google account or pod): bind it to the users, groups or service accounts that need it instead (a group of your identity provider, or a workload's own ServiceAccount).`,
        );
    },
};
