import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord } from "../types";
import { hasCondition, isAllow, statements, strings } from "./iam-documents";

const ROLE_TYPE = "aws:iam/role:Role";

/** Whether a trust-policy Principal is everyone: "*", { AWS: "*" } or { AWS: [..., "*"] }. */
function isEveryone(principal: unknown): boolean {
    if (principal === "*") return true;
    return isRecord(principal) && strings(principal.AWS).includes("*");
}

export const awsIamRoleTrustNotPublic: ResourceValidationPolicy = {
    name: "aws-iam-role-trust-not-public",
    description:
        'AWS IAM roles must not trust every AWS principal: no Allow statement of a role\'s assumeRolePolicy may have Principal "*" (or AWS "*") without a Condition, so no other AWS account can assume the role.',
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== ROLE_TYPE) return;
        for (const statement of statements(args.props.assumeRolePolicy)) {
            if (
                !isAllow(statement) ||
                !isEveryone(statement.body.Principal) ||
                hasCondition(statement)
            ) {
                continue;
            }
            reportViolation(
                `IAM role '${args.name}' trust policy ${statement.label} lets any AWS principal ("*") assume the role without a Condition, so any AWS account can use its permissions: set Principal to the accounts, roles or services that need it (for example { AWS: "arn:aws:iam::123456789012:root" } or { Service: "ec2.amazonaws.com" }), or add a Condition such as { StringEquals: { "aws:PrincipalOrgID": "o-..." } }.`,
            );
        }
    },
};
