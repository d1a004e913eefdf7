import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, known, read, UNKNOWN } from "../types";
import { hasCondition, isAllow, type Statement, statements, strings } from "./iam-documents";

const ROLE_TYPE = "aws:iam/role:Role";

/**
 * The condition keys that limit which principals a statement lets in (IAM compares keys
 * case-insensitively): the caller's organization, account or ARN, the resource or account a
 * service acts for, and the external id a third party must present.
 */
export const PRINCIPAL_KEYS = [
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "sts:ExternalId",
] as const;

/**
 * The operators that require a key to match a value. Negated operators (StringNotEquals...)
 * admit everyone else, ...IfExists and ForAllValues: admit requests without the key, and Null
 * or Bool do not compare the key with a value.
 */
const MATCHING_OPERATOR =
    /^(?:ForAnyValue:)?(?:StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/i;

/** Whether a trust-policy Principal is everyone: "*", { AWS: "*" } or { AWS: [..., "*"] }. */
function isEveryone(principal: unknown): boolean {
    if (principal === "*") return true;
    return isRecord(principal) && strings(principal.AWS).includes("*");
}

/** Whether the statement's Condition requires one of `keys` to match values other than "*". */
function requiresMatch(statement: Statement, keys: readonly string[]): boolean {
    const condition = statement.body.Condition;
    if (!isRecord(condition)) return false;
    const wanted = keys.map((k) => k.toLowerCase());
    return Object.entries(condition).some(
        ([operator, block]) =>
            MATCHING_OPERATOR.test(operator) &&
            isRecord(block) &&
            Object.entries(block).some(([key, value]) => {
                if (!wanted.includes(key.toLowerCase())) return false;
                const values = strings(value);
                return values.length > 0 && values.every((v) => v.trim() !== "" && v !== "*");
            }),
    );
}

/** The issuers of a statement's OIDC identity providers (arn:...:oidc-provider/<issuer>). */
function oidcIssuers(principal: unknown): string[] {
    if (!isRecord(principal)) return [];
    return strings(principal.Federated)
        .map((arn) => /^arn:[^:]+:iam::[^:]*:oidc-provider\/(.+)$/.exec(arn)?.[1])
        .filter((issuer): issuer is string => issuer !== undefined && issuer !== "");
}

/** What is wrong with one trust statement, and how to fix it. */
function problems(role: string, statement: Statement): string[] {
    if (!isAllow(statement)) return [];
    const found: string[] = [];
    const { label, body } = statement;
    if (isEveryone(body.Principal) && !requiresMatch(statement, PRINCIPAL_KEYS)) {
        const why = hasCondition(statement)
            ? `with a Condition that does not limit who may (no StringEquals, StringLike, ArnEquals or ArnLike on ${PRINCIPAL_KEYS.join(", ")})`
            : "without a Condition";
        found.push(
            `IAM role '${role}' trust policy ${label} lets any AWS principal ("*") assume the role ${why}, so any AWS account can use its permissions: set Principal to the accounts, roles or services that need it (for example { AWS: "arn:aws:iam::123456789012:root" } or { Service: "ec2.amazonaws.com" }), or add a Condition such as { StringEquals: { "aws:PrincipalOrgID": "o-..." } }.`,
        );
    }
    for (const issuer of oidcIssuers(body.Principal)) {
        if (requiresMatch(statement, [`${issuer}:sub`])) continue;
        found.push(
            `IAM role '${role}' trust policy ${label} lets web identities of the OIDC provider ${issuer} assume the role without a condition on ${issuer}:sub, so any repository, project or workload that can get a token from that provider (for that audience) can use its permissions: add { StringEquals: { "${issuer}:sub": "<subject>" } } to the Condition (StringLike for a pattern, for example "repo:my-org/my-repo:*" for GitHub Actions).`,
        );
    }
    return found;
}

export const awsIamRoleTrustNotPublic: ResourceValidationPolicy = {
    name: "aws-iam-role-trust-not-public",
    description: `AWS IAM roles must not trust every AWS principal or every identity of an OIDC provider: no Allow statement of a role's assumeRolePolicy may have Principal "*" (or AWS "*") unless its Condition requires a match on ${PRINCIPAL_KEYS.join(", ")}, and statements trusting an OIDC provider (Federated arn:...:oidc-provider/<issuer>) must require a match on <issuer>:sub, so no other AWS account, repository or workload can assume the role.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== ROLE_TYPE) return;
        // A trust policy computed from other resources is checked once it is known.
        const document = read(args.props, "assumeRolePolicy");
        if (document === UNKNOWN) return;
        const parsed = known(() => statements(document));
        if (parsed === UNKNOWN) return;
        for (const statement of parsed) {
            const found = known(() => problems(args.name, statement));
            if (found === UNKNOWN) continue;
            for (const text of found) reportViolation(text);
        }
    },
};
