import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN } from "../types";
import {
    namesSecrets,
    reachesCoreGroup,
    ROLE_TYPE,
    rulesOf,
    words,
} from "./kubernetes-role-no-secret-writes";

/**
 * The verbs that read Secrets: "list and watch access also effectively allow for users to reveal
 * the Secret contents" (kubernetes.io/docs/concepts/security/rbac-good-practices, "Listing
 * secrets"), and reading a namespace's Secrets gives the API access of its service accounts whose
 * tokens they hold (rbac, "User-facing roles": why view does not read Secrets).
 */
const READ_VERBS = ["get", "list", "watch"] as const;

export const kubernetesRoleNoSecretReads: ResourceValidationPolicy = {
    name: "kubernetes-role-no-secret-reads",
    description: `Kubernetes Roles and ClusterRoles should not grant ${words(READ_VERBS.map((v) => `"${v}"`))} on secrets in the core API group ("" or "*") without resourceNames, since list and watch return the contents of every Secret like get; rules that name the Secrets they read in resourceNames are accepted (a list or watch must then select them by metadata.name). Advisory: an operator may need to read Secrets it does not know the names of. "*" in verbs or resources is left to kubernetes-role-no-wildcards and kubernetes-role-no-secret-writes; aggregated ClusterRoles' rules (which the control plane overwrites) are not checked.`,
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const kind = ROLE_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        for (const rule of rulesOf(args.props)) {
            if (reachesCoreGroup(rule) !== true || !namesSecrets(rule)) continue;
            // Names computed from other resources count as names.
            if (rule.resourceNames === UNKNOWN || rule.resourceNames.length > 0) continue;
            const reads = READ_VERBS.filter((v) => rule.verbs.includes(v));
            if (reads.length === 0) continue;
            reportViolation(
                `${kind} '${args.name}' rules[${rule.index}] grants ${words(reads.map((v) => `"${v}"`))} on every Secret it reaches (no resourceNames), so its holders read every credential and key there, service account tokens included: list the Secrets it reads in rules[${rule.index}].resourceNames (a list or watch must then select them by metadata.name), or mount the Secret in the pod that needs it instead of reading it through the API.`,
            );
        }
    },
};
