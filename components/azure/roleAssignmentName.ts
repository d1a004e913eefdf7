/**
 * Deterministic names for Azure role assignments (SDK-free: config, components and tests can
 * all import it).
 *
 * A role assignment's name must be a GUID, unique in the tenant, and Azure refuses a second
 * assignment of the same role to the same principal at the same scope under another name
 * (`RoleAssignmentExists`). Naming it from exactly that triple, as Microsoft recommends for
 * Bicep (`guid(scope, principalId, roleDefinitionId)`, "Create Azure RBAC resources by using
 * Bicep", https://learn.microsoft.com/azure/azure-resource-manager/bicep/scenarios-rbac),
 * makes a re-created assignment reuse its name instead of colliding with itself, and two
 * different triples never share a name.
 */
import { createHash } from "crypto";
import { GUID } from "../formats";

/**
 * The namespace of this project's role assignment names (a random v4 UUID, fixed forever:
 * changing it renames, and so re-creates, every role assignment).
 */
export const ROLE_ASSIGNMENT_NAMESPACE = "3f6c1d2e-8b4a-4c1f-9e57-2a9d0b6c7e41";

/** A name-based (SHA-1) UUID, version 5 of RFC 9562 section 5.5. */
export function uuidV5(namespace: string, name: string): string {
    if (!GUID.test(namespace)) throw new Error(`uuidV5: namespace '${namespace}' is not a UUID`);
    const bytes = createHash("sha1")
        .update(Buffer.from(namespace.replace(/-/g, ""), "hex"))
        .update(Buffer.from(name, "utf8"))
        .digest()
        .subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
    const hex = bytes.toString("hex");
    return [
        hex.slice(0, 8),
        hex.slice(8, 12),
        hex.slice(12, 16),
        hex.slice(16, 20),
        hex.slice(20, 32),
    ].join("-");
}

/**
 * The role assignment name (a GUID) for `roleDefinitionId` granted to `principalId` at `scope`.
 * Azure compares ids case-insensitively, so the inputs are too: a role given as a bare GUID,
 * as `/providers/Microsoft.Authorization/roleDefinitions/<guid>` or under a subscription names
 * the same role; a trailing `/` on the scope is ignored.
 */
export function roleAssignmentName(
    scope: string,
    roleDefinitionId: string,
    principalId: string,
): string {
    const role = roleDefinitionId.trim().toLowerCase().split("/").pop() ?? "";
    const key = [
        scope.trim().toLowerCase().replace(/\/+$/, ""),
        role,
        principalId.trim().toLowerCase(),
    ];
    return uuidV5(ROLE_ASSIGNMENT_NAMESPACE, key.join("\n"));
}
