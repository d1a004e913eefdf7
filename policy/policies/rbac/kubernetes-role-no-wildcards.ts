import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, list } from "../types";

/** Role and ClusterRole, in every RBAC API version the SDK offers, patches included. */
const ROLE_TYPE =
    /^kubernetes:rbac\.authorization\.k8s\.io\/v1(?:alpha1|beta1)?:((?:Cluster)?Role)(?:Patch)?$/;
/** The rule fields checked, with the words messages use for them. */
const FIELDS = [
    ["apiGroups", "API groups"],
    ["resources", "resources"],
    ["verbs", "verbs"],
] as const;

export const kubernetesRoleNoWildcards: ResourceValidationPolicy = {
    name: "kubernetes-role-no-wildcards",
    description:
        'Kubernetes Roles and ClusterRoles must not use "*" in the verbs, resources or apiGroups of their rules, so a role grants only what it lists and never what a later Kubernetes version or CRD adds (escalate, bind, impersonate, secrets...).',
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = ROLE_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        list(args.props.rules).forEach((rule, i) => {
            if (!isRecord(rule)) return;
            const wild = FIELDS.filter(([key]) => list(rule[key]).includes("*"));
            if (wild.length === 0) return;
            const keys = wild.map(([key]) => `rules[${i}].${key}`).join(", ");
            const words = wild.map(([, words]) => words);
            const what =
                words.length > 1
                    ? `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`
                    : words[0];
            reportViolation(
                `${kind} '${args.name}' has "*" in ${keys}, which grants every one of them, including those added later: list the exact ${what} the role needs instead of "*" (for example verbs: ["get", "list", "watch"]).`,
            );
        });
    },
};
