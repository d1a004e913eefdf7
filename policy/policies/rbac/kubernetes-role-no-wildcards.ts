import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, items, read } from "../types";

/** Role and ClusterRole, in every RBAC API version the SDK offers, patches included. */
const ROLE_TYPE =
    /^kubernetes:rbac\.authorization\.k8s\.io\/v1(?:alpha1|beta1)?:((?:Cluster)?Role)(?:Patch)?$/;

/**
 * The rule fields checked, with the words messages use for them and the values that are
 * wildcards: "*" everywhere; in resources also a "*" on either side of a resource/subresource
 * pair (the scale subresource of every resource, or "pods/*": every subresource of pods, exec
 * and attach included).
 */
const FIELDS: readonly (readonly [string, string, (value: string) => boolean])[] = [
    ["apiGroups", "API groups", (v) => v === "*"],
    ["resources", "resources", (v) => v.split("/").includes("*")],
    ["verbs", "verbs", (v) => v === "*"],
    ["nonResourceURLs", "non-resource URLs", (v) => v === "*"],
];

export const kubernetesRoleNoWildcards: ResourceValidationPolicy = {
    name: "kubernetes-role-no-wildcards",
    description:
        'Kubernetes Roles and ClusterRoles must not use "*" in the verbs, resources (or subresources, as in "*/scale" or "pods/*"), apiGroups or nonResourceURLs of their rules, so a role grants only what it lists and never what a later Kubernetes version or CRD adds (escalate, bind, impersonate, secrets, pods/exec...).',
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = ROLE_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        items(read(args.props, "rules")).forEach((rule, i) => {
            if (!isRecord(rule)) return;
            const wild = FIELDS.map(
                ([key, words, isWild]) =>
                    [
                        key,
                        words,
                        items(read(rule, key)).filter(
                            (v): v is string => typeof v === "string" && isWild(v),
                        ),
                    ] as const,
            ).filter(([, , values]) => values.length > 0);
            if (wild.length === 0) return;
            const words = wild.map(([, w]) => w);
            const what =
                words.length > 1
                    ? `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`
                    : words[0];
            const starOnly = wild.every(([, , values]) => values.every((v) => v === "*"));
            if (starOnly) {
                const keys = wild.map(([key]) => `rules[${i}].${key}`).join(", ");
                reportViolation(
                    `${kind} '${args.name}' has "*" in ${keys}, which grants every one of them, including those added later: list the exact ${what} the role needs instead of "*" (for example verbs: ["get", "list", "watch"]).`,
                );
                return;
            }
            const found = wild
                .map(
                    ([key, , values]) =>
                        `${values.map((v) => `"${v}"`).join(", ")} in rules[${i}].${key}`,
                )
                .join(", ");
            reportViolation(
                `${kind} '${args.name}' has ${found}, wildcards that grant every match, including those added later: list the exact ${what} the role needs instead (for example resources: ["deployments/scale"] rather than "*/scale").`,
            );
        });
    },
};
