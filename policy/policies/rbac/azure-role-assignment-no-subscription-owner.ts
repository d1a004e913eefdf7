import type { ResourceValidationPolicy } from "@pulumi/policy";

/** RoleAssignment, in the default and every versioned authorization module. */
const ROLE_ASSIGNMENT_TYPE = /^azure-native:authorization(?:\/v[0-9a-z]+)?:RoleAssignment$/;
/** A whole subscription: /subscriptions/<id>, optionally with a trailing slash, nothing more. */
const SUBSCRIPTION_SCOPE = /^\/subscriptions\/[^/]+\/?$/i;
/** The built-in roles that may change every resource, by role definition GUID. */
const BROAD_ROLES: Readonly<Record<string, string>> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
};

export const azureRoleAssignmentNoSubscriptionOwner: ResourceValidationPolicy = {
    name: "azure-role-assignment-no-subscription-owner",
    description:
        "Azure role assignments must not grant the built-in Owner or Contributor role on a whole subscription, so no principal can change (or, as Owner, grant access to) every resource in it.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!ROLE_ASSIGNMENT_TYPE.test(args.type)) return;
        // The role first: assignments of narrower roles never need their (often computed) scope.
        const roleDefinitionId = String(args.props.roleDefinitionId ?? "").toLowerCase();
        const guid = Object.keys(BROAD_ROLES).find((id) => roleDefinitionId.endsWith(id));
        if (!guid) return;
        const scope = String(args.props.scope ?? "");
        if (!SUBSCRIPTION_SCOPE.test(scope)) return;
        reportViolation(
            `Role assignment '${args.name}' grants ${BROAD_ROLES[guid]} on the whole subscription '${scope}': set scope to the resource group or resource the principal manages, or assign a narrower built-in role (for example Reader, or a service-specific Contributor role such as Storage Account Contributor).`,
        );
    },
};
