import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, list } from "../types";
import { isAllow, type Statement, statements, strings } from "./iam-documents";

/** The identity-policy resources, each with the words messages use for it. */
const POLICY_TYPES: Readonly<Record<string, string>> = {
    "aws:iam/policy:Policy": "IAM policy",
    "aws:iam/rolePolicy:RolePolicy": "IAM role policy",
    "aws:iam/userPolicy:UserPolicy": "IAM user policy",
    "aws:iam/groupPolicy:GroupPolicy": "IAM group policy",
};
const ROLE_TYPE = "aws:iam/role:Role";

/**
 * The verb prefixes of read-only actions. An action whose verb (the part after "service:") starts
 * with one of these, case-insensitively, is a read; every other action, "s3:*" and "s3:*Object"
 * included, is a write. Reads may apply to Resource "*" (ecr:GetAuthorizationToken must).
 */
export const READ_VERB_PREFIXES = [
    "Get",
    "BatchGet",
    "List",
    "Describe",
    "Head",
    "Query",
    "Scan",
    "Lookup",
    "Select",
    "Search",
    "View",
] as const;

/** Whether an action grants everything: "*" or "*:*". */
function isEveryAction(action: string): boolean {
    return action === "*" || action === "*:*";
}

/** Whether an action only reads, by its verb prefix (see READ_VERB_PREFIXES). */
export function isReadAction(action: string): boolean {
    const verb = action.slice(action.indexOf(":") + 1).toLowerCase();
    return READ_VERB_PREFIXES.some((prefix) => verb.startsWith(prefix.toLowerCase()));
}

/** What is wrong with one statement, and how to fix it; undefined when nothing is. */
function problem(statement: Statement): string | undefined {
    if (!isAllow(statement)) return undefined;
    const { body, label } = statement;
    const actions = strings(body.Action);
    const notResource = body.NotResource !== undefined;
    const onEverything = notResource || strings(body.Resource).includes("*");
    if (actions.some(isEveryAction)) {
        return `${label} allows every action ("${actions.find(isEveryAction)}"), which makes its holder an administrator: list the specific actions needed (for example "s3:GetObject", "s3:PutObject") instead.`;
    }
    if (body.NotAction !== undefined) {
        return `${label} allows every action but its NotAction list, which includes any action AWS adds later: list the specific actions needed in Action instead of using NotAction.`;
    }
    const writes = actions.filter((a) => !isReadAction(a));
    if (onEverything && writes.length > 0) {
        const it = writes.length > 1 ? "they" : "it";
        return `${label} allows write action${writes.length > 1 ? "s" : ""} ${writes.map((a) => `"${a}"`).join(", ")} on ${notResource ? "every resource but its NotResource" : 'Resource "*"'}, so ${it} can change ${notResource ? "almost " : ""}every resource of the account: set Resource to the ARNs ${it} must change (for example arn:aws:s3:::my-bucket/*)${notResource ? " instead of using NotResource" : ""}.`;
    }
    return undefined;
}

export const awsIamPolicyNoWildcards: ResourceValidationPolicy = {
    name: "aws-iam-policy-no-wildcards",
    description: `AWS IAM identity policies (managed, role, user and group policies, and roles' inline policies) must not allow every action ("*" or "*:*", or NotAction), nor write actions on Resource "*" (or with NotResource); only read actions (verbs starting with ${READ_VERB_PREFIXES.join(", ")}) may apply to every resource.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const documents: [string, unknown][] = [];
        const what = POLICY_TYPES[args.type];
        if (what) {
            documents.push([`${what} '${args.name}'`, args.props.policy]);
        } else if (args.type === ROLE_TYPE) {
            list(args.props.inlinePolicies).forEach((inline, i) => {
                if (!isRecord(inline)) return;
                const name =
                    typeof inline.name === "string" && inline.name
                        ? `'${inline.name}'`
                        : `#${i + 1}`;
                documents.push([`IAM role '${args.name}' inline policy ${name}`, inline.policy]);
            });
        }
        for (const [owner, document] of documents) {
            for (const statement of statements(document)) {
                const text = problem(statement);
                if (text) reportViolation(`${owner} ${text}`);
            }
        }
    },
};
