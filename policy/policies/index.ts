/** Every policy of the pack, by group. */
import { encryptionPolicies } from "./encryption";
import { rbacPolicies } from "./rbac";
import { stackPolicies } from "./stack";
import { tlsPolicies } from "./tls";
import type { FleetPolicy, PolicyGroup } from "./types";

/**
 * What the pack enforces, in one sentence. PulumiPolicy.yaml and package.json repeat it (they
 * cannot import it); tests/policy/pack-readme.test.ts keeps the three equal.
 */
export const PACK_DESCRIPTION =
    "Strict RBAC, TLS in transit, AES-256 encryption at rest with key rotation, rate limits, and fleet registration and autoscaling for the multi-cloud fleet.";

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
