import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, UNKNOWN } from "../types";

const RBAC_ADMINISTRATOR = "Role Based Access Control Administrator";
/**
 * The attribute a condition tests to constrain which roles an assignment may create: the
 * "Constrain roles" templates of
 * https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples.
 */
const ROLE_CONSTRAINT = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]";

/** RoleAssignment, in the default and every versioned authorization module. */
const ROLE_ASSIGNMENT_TYPE = /^azure-native:authorization(?:\/v[0-9a-z]+)?:RoleAssignment$/;
/** The broad scopes (with an optional trailing slash), each with how messages name it. */
const BROAD_SCOPES: readonly (readonly [RegExp, (scope: string) => string])[] = [
    [/^\/subscriptions\/[^/]+\/?$/i, (scope) => `the whole subscription '${scope}'`],
    [
        /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/?$/i,
        (scope) => `the whole management group '${scope}'`,
    ],
    [/^\/$/, () => "the root scope '/' (every management group and subscription of the tenant)"],
];
/**
 * The built-in roles that may change every resource in their scope, or grant anyone access to
 * it, by role definition GUID (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged).
 */
const BROAD_ROLES: Readonly<Record<string, string>> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": RBAC_ADMINISTRATOR,
};

export const azureRoleAssignmentNoSubscriptionOwner: ResourceValidationPolicy = {
    name: "azure-role-assignment-no-subscription-owner",
    description:
        "Azure role assignments must not grant the built-in Owner, Contributor, User Access Administrator or Role Based Access Control Administrator role on a whole subscription, a management group or the root scope '/', so no principal can change (or, as Owner, User Access Administrator or Role Based Access Control Administrator, grant access to) every resource in them. Role Based Access Control Administrator is accepted there with a condition that constrains the roles it may assign (one that tests @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId], as Azure's \"Constrain roles\" templates do); the pack does not check which roles that condition allows.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!ROLE_ASSIGNMENT_TYPE.test(args.type)) return;
        // The role first: assignments of narrower roles never need their (often computed) scope.
        const roleDefinitionId = read(args.props, "roleDefinitionId");
        if (typeof roleDefinitionId !== "string") return;
        const id = roleDefinitionId.toLowerCase();
        const guid = Object.keys(BROAD_ROLES).find((g) => id.endsWith(g));
        if (!guid) return;
        // A scope computed from other resources is checked once it is known.
        const scope = read(args.props, "scope");
        if (typeof scope !== "string") return;
        const name = BROAD_SCOPES.find(([pattern]) => pattern.test(scope))?.[1];
        if (!name) return;
        const role = BROAD_ROLES[guid];
        if (role === RBAC_ADMINISTRATOR) {
            // Delegated role assignment with a condition that limits the roles it may assign.
            const condition = read(args.props, "condition");
            if (condition === UNKNOWN) return;
            if (
                typeof condition === "string" &&
                condition.toLowerCase().includes(ROLE_CONSTRAINT.toLowerCase())
            ) {
                return;
            }
            reportViolation(
                `Role assignment '${args.name}' grants ${role} on ${name(scope)} without a condition on the roles it may assign, so the principal can assign itself or anyone Owner there: set scope to the resource group or resource the principal manages, or add a condition (conditionVersion "2.0") that tests ${ROLE_CONSTRAINT}, for example one that only allows the roles the principal hands out, or excludes Owner, User Access Administrator and ${role}.`,
            );
            return;
        }
        reportViolation(
            `Role assignment '${args.name}' grants ${role} on ${name(scope)}: set scope to the resource group or resource the principal manages, or assign a narrower built-in role (for example Reader, or a service-specific Contributor role such as Storage Account Contributor).`,
        );
    },
};
