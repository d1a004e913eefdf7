import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, items, known, UNKNOWN } from "../types";

/** RoleDefinition (azure-native authorization/roleDefinition.js) and its API-versioned tokens. */
const ROLE_DEFINITION_TYPE = /^azure-native:authorization(?:\/v[0-9a-z]+)?:RoleDefinition$/;

/**
 * The operations that let the holder of a role grant itself any other role: create role
 * assignments, or rewrite a role definition it already holds.
 */
const GRANTING = [
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleDefinitions/write",
];

/**
 * Azure operation strings are `{Company}.{Provider}/{resourceType}/.../{operation}`, matched
 * case-insensitively; `*` matches any characters, `/` included (so a provider wildcard followed
 * by `/read` covers the reads of nested types too).
 * https://learn.microsoft.com/azure/role-based-access-control/role-definitions#actions
 */
function matches(pattern: string, operation: string): boolean {
    const source = pattern
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${source}$`, "i").test(operation);
}

/** Why a wildcard entry of `actions` is too broad, or undefined when it is accepted. */
function broadAction(entry: string): string | undefined {
    const provider = entry.split("/")[0];
    const last = entry.split("/").pop() ?? "";
    // `*/read` (the built-in Reader's only action): read-only, and reads no data or secrets.
    if (provider.includes("*") && last.toLowerCase() !== "read") {
        return "every resource provider, including those added later";
    }
    if (GRANTING.some((operation) => matches(entry, operation))) {
        return "Microsoft.Authorization/roleAssignments/write or roleDefinitions/write: the holder can grant itself any role";
    }
    return undefined;
}

/** Why a wildcard entry of `dataActions` is too broad, or undefined when it is accepted. */
function broadDataAction(entry: string): string | undefined {
    // Data actions reach the data itself (blobs, queue messages, Key Vault secrets): even
    // `*/read` reads every data store of every provider.
    return entry.split("/")[0].includes("*")
        ? "the data of every resource provider, including those added later"
        : undefined;
}

export const azureRoleDefinitionNoWildcardActions: ResourceValidationPolicy = {
    name: "azure-role-definition-no-wildcard-actions",
    description:
        'Azure custom role definitions (azure-native authorization RoleDefinition) must not use wildcards that span every resource provider or that let the holder grant roles: permissions[].actions must not hold "*" or another entry whose provider part has a "*" (such as "*/write" or "Microsoft.*/delete"), except read-only entries ending in "/read" ("*/read", as in the built-in Reader), nor a wildcard that covers Microsoft.Authorization/roleAssignments/write or roleDefinitions/write (such as "Microsoft.Authorization/*"); permissions[].dataActions must not hold an entry whose provider part has a "*", "*/read" included. Wildcards within one provider (such as "Microsoft.Storage/storageAccounts/*") are accepted, and notActions do not excuse a wildcard, since the actions a provider adds later are granted too.',
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!ROLE_DEFINITION_TYPE.test(args.type)) return;
        const found: string[] = [];
        const permissions = known(() => args.props.permissions);
        // Permissions computed from another resource are checked once they are known.
        if (permissions === UNKNOWN) return;
        items(permissions).forEach((permission, i) => {
            if (!isRecord(permission)) return;
            for (const [field, broad] of [
                ["actions", broadAction],
                ["dataActions", broadDataAction],
            ] as const) {
                const entries = known(() => permission[field]);
                if (entries === UNKNOWN) continue;
                for (const entry of items(entries)) {
                    if (typeof entry !== "string" || !entry.includes("*")) continue;
                    const why = broad(entry.trim());
                    if (why) found.push(`"${entry}" in permissions[${i}].${field} (${why})`);
                }
            }
        });
        if (found.length === 0) return;
        reportViolation(
            `Role definition '${args.name}' grants ${found.join(", ")}: list the exact operations the role needs (for example "Microsoft.Compute/virtualMachines/start/action"), or a wildcard within one provider's resource type (for example "Microsoft.Storage/storageAccounts/*"); only read-only "*/read" may span every provider, and only in actions.`,
        );
    },
};
