/** Every policy of the pack, by group. */
import { encryptionPolicies } from "./encryption";
import { rbacPolicies } from "./rbac";
import { stackPolicies } from "./stack";
import { tlsPolicies } from "./tls";
import type { FleetPolicy, PolicyGroup } from "./types";

export const POLICIES_BY_GROUP: Readonly<Record<PolicyGroup, readonly FleetPolicy[]>> = {
    rbac: rbacPolicies,
    tls: tlsPolicies,
    encryption: encryptionPolicies,
    stack: stackPolicies,
};

/** Policy name -> its group. */
export function groupOf(policyName: string): PolicyGroup | undefined {
    for (const [group, policies] of Object.entries(POLICIES_BY_GROUP)) {
        if (policies.some((p) => p.name === policyName)) return group as PolicyGroup;
    }
    return undefined;
}
