import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, known, read, UNKNOWN } from "../types";
import {
    hasCondition,
    isAllow,
    isBroadPattern,
    narrowingEntries,
    type Statement,
    statements,
    strings,
} from "./iam-documents";

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

/**
 * How the statement's Condition constrains one of `keys`: "match" when a matching operator
 * requires values that name someone; "broad" when the only such values are patterns that let a
 * wildcard stand for the owner (StringLike "repo:*", ArnLike "arn:aws:iam::*:role/*": a
 * StringLike value "can include multi-character match wildcards (*) and single-character match
 * wildcards (?) anywhere in the string", IAM JSON policy reference, Condition operators, String
 * condition operators); "none" otherwise. An ...IfExists or ForAllValues: operator never counts:
 * both are true when the key is absent (see narrowingOperator in iam-documents.ts).
 */
function constraint(statement: Statement, keys: readonly string[]): "match" | "broad" | "none" {
    const wanted = keys.map((k) => k.toLowerCase());
    let broad = false;
    for (const [operator, key, value] of narrowingEntries(statement).entries) {
        if (!MATCHING_OPERATOR.test(operator) || !wanted.includes(key.toLowerCase())) continue;
        const values = strings(value);
        // "*" alone (like an empty value) is read as no condition on the key at all.
        if (values.length === 0 || values.some((v) => v.trim() === "" || v === "*")) continue;
        if (/like$/i.test(operator) && values.some(isBroadPattern)) broad = true;
        else return "match";
    }
    return broad ? "broad" : "none";
}

/** A Condition value pattern that matches anyone's, for the messages (never the value itself). */
const BROAD_FIX =
    'a StringLike or ArnLike value that leaves the owner to a wildcard ("*", "repo:*", "system:serviceaccount:*", "arn:aws:iam::*:role/*") matches every account, repository or workload';

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
    const principal = read(body, "Principal");
    if (isEveryone(principal)) {
        const narrowed = constraint(statement, PRINCIPAL_KEYS);
        if (narrowed === "broad") {
            found.push(
                `IAM role '${role}' trust policy ${label} lets any AWS principal ("*") assume the role with a Condition on ${PRINCIPAL_KEYS.join(", ")} that only matches wildcard patterns: ${BROAD_FIX}. Name the organization, account or role before any wildcard (for example { StringEquals: { "aws:PrincipalOrgID": "o-..." } } or { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/deployer-*" } }).`,
            );
        } else if (narrowed === "none") {
            const why = hasCondition(statement)
                ? `with a Condition that does not limit who may (no StringEquals, StringLike, ArnEquals or ArnLike on ${PRINCIPAL_KEYS.join(", ")})`
                : "without a Condition";
            found.push(
                `IAM role '${role}' trust policy ${label} lets any AWS principal ("*") assume the role ${why}, so any AWS account can use its permissions: set Principal to the accounts, roles or services that need it (for example { AWS: "arn:aws:iam::123456789012:root" } or { Service: "ec2.amazonaws.com" }), or add a Condition such as { StringEquals: { "aws:PrincipalOrgID": "o-..." } }.`,
            );
        }
    }
    for (const issuer of oidcIssuers(principal)) {
        const narrowed = constraint(statement, [`${issuer}:sub`]);
        if (narrowed === "match") continue;
        if (narrowed === "broad") {
            found.push(
                `IAM role '${role}' trust policy ${label} lets web identities of the OIDC provider ${issuer} assume the role with a condition on ${issuer}:sub that only matches wildcard patterns: ${BROAD_FIX}. Name the owner before any wildcard (for example { StringLike: { "${issuer}:sub": "repo:my-org/my-repo:*" } } for GitHub Actions, or StringEquals on the exact subject).`,
            );
            continue;
        }
        found.push(
            `IAM role '${role}' trust policy ${label} lets web identities of the OIDC provider ${issuer} assume the role without a condition on ${issuer}:sub, so any repository, project or workload that can get a token from that provider (for that audience) can use its permissions: add { StringEquals: { "${issuer}:sub": "<subject>" } } to the Condition (StringLike for a pattern, for example "repo:my-org/my-repo:*" for GitHub Actions).`,
        );
    }
    return found;
}

export const awsIamRoleTrustNotPublic: ResourceValidationPolicy = {
    name: "aws-iam-role-trust-not-public",
    description: `AWS IAM roles must not trust every AWS principal or every identity of an OIDC provider: no Allow statement of a role's assumeRolePolicy may have Principal "*" (or AWS "*") unless its Condition requires a match on ${PRINCIPAL_KEYS.join(", ")}, and statements trusting an OIDC provider (Federated arn:...:oidc-provider/<issuer>) must require a match on <issuer>:sub, so no other AWS account, repository or workload can assume the role. ...IfExists and ForAllValues: operators do not count, nor StringLike or ArnLike values that leave the owner to a wildcard ("repo:*", "arn:aws:iam::*:role/*").`,
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
