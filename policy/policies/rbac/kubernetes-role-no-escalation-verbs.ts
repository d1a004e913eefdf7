import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
    AGGREGATION_FIX,
    aggregatedBuiltIns,
    builtInText,
    ROLE_TYPE,
    rulesOf,
    words,
} from "./kubernetes-role-no-secret-writes";

/**
 * The verbs that bypass RBAC's own escalation checks (kubernetes.io/docs/reference/access-authn-
 * authz/rbac, "Privilege escalation prevention and bootstrapping"; concepts/security/rbac-good-
 * practices, "Escalate verb", "Bind verb", "Impersonate verb"), with what each lets its holder do.
 * The API server only checks them on roles and clusterroles (escalate, bind) and on users,
 * groups, serviceaccounts, uids and userextras (impersonate); like the repository's gitops lint,
 * the policy flags them whatever the rule's resources.
 */
const ESCALATION_VERBS: Readonly<Record<string, string>> = {
    bind: "bind lets its holders bind roles with permissions they do not have",
    escalate: "escalate lets its holders create and update roles with permissions they do not have",
    impersonate:
        "impersonate lets its holders act as the users, groups or service accounts the rule allows, with their permissions",
};

export const kubernetesRoleNoEscalationVerbs: ResourceValidationPolicy = {
    name: "kubernetes-role-no-escalation-verbs",
    description: `Kubernetes Roles and ClusterRoles must not grant the verbs ${words(Object.keys(ESCALATION_VERBS).map((v) => `"${v}"`))}, on any resource and whatever their resourceNames, as the repository's gitops lint already forbids: each lets its holders reach permissions they were not given. "*" in verbs is left to kubernetes-role-no-wildcards. A ClusterRole with an aggregationRule is checked on what it copies, not on its rules (which the control plane overwrites): its selectors must not match, by their labels, the built-in ClusterRoles cluster-admin, admin, edit or system:aggregate-to-edit (every verb; impersonate on serviceaccounts). Selectors of other labels are accepted: the ClusterRoles that carry those labels are checked like any other.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = ROLE_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        for (const rule of rulesOf(args.props)) {
            const found = Object.keys(ESCALATION_VERBS).filter((v) => rule.verbs.includes(v));
            if (found.length === 0) continue;
            const why = found.map((v) => ESCALATION_VERBS[v]).join("; ");
            reportViolation(
                `${kind} '${args.name}' rules[${rule.index}] grants ${words(found.map((v) => `"${v}"`))} (${why}), a way to any permission up to cluster-admin: remove ${found.length > 1 ? "them" : "it"} from rules[${rule.index}].verbs and grant the subjects the permissions themselves (the API server lets anyone bind, or put in a role, permissions they hold); leave role changes and impersonation to cluster administrators.`,
            );
        }
        for (const { index, builtIns } of aggregatedBuiltIns(args.props)) {
            const what = builtIns.includes("cluster-admin")
                ? "which grant every verb, bind, escalate and impersonate included"
                : "which grant impersonate on serviceaccounts";
            reportViolation(
                `${kind} '${args.name}' aggregationRule.clusterRoleSelectors[${index}] copies the rules of ${builtInText(builtIns)}, ${what}: ${AGGREGATION_FIX}.`,
            );
        }
    },
};
