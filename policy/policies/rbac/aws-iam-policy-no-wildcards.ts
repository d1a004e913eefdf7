import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, items, known, read, UNKNOWN } from "../types";
import {
    isAllow,
    isEveryResource,
    knownStrings,
    narrowingEntries,
    type Statement,
    statements,
} from "./iam-documents";

/** The identity-policy resources, each with the words messages use for it. */
const POLICY_TYPES: Readonly<Record<string, string>> = {
    "aws:iam/policy:Policy": "IAM policy",
    "aws:iam/rolePolicy:RolePolicy": "IAM role policy",
    "aws:iam/userPolicy:UserPolicy": "IAM user policy",
    "aws:iam/groupPolicy:GroupPolicy": "IAM group policy",
};
const ROLE_TYPE = "aws:iam/role:Role";

/** The resources that attach managed policies, with their words and the field of the ARN(s). */
const ATTACHMENT_TYPES: Readonly<Record<string, readonly [string, string]>> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [
        "IAM role policy attachment",
        "policyArn",
    ],
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": [
        "IAM user policy attachment",
        "policyArn",
    ],
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": [
        "IAM group policy attachment",
        "policyArn",
    ],
    "aws:iam/policyAttachment:PolicyAttachment": ["IAM policy attachment", "policyArn"],
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": [
        "IAM role policy attachments",
        "policyArns",
    ],
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": [
        "IAM user policy attachments",
        "policyArns",
    ],
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": [
        "IAM group policy attachments",
        "policyArns",
    ],
    [ROLE_TYPE]: ["IAM role", "managedPolicyArns"],
};

/**
 * AWS managed policies that grant what this policy rejects in a document of its own: every
 * action (AdministratorAccess), every action but IAM's (PowerUserAccess, a NotAction policy),
 * or every IAM action, with which the holder can grant itself anything (IAMFullAccess).
 */
const ADMIN_MANAGED_POLICIES: Readonly<Record<string, string>> = {
    AdministratorAccess: "allows every action on every resource",
    PowerUserAccess:
        "allows every action but IAM, Organizations and account management on every resource",
    IAMFullAccess: "allows every IAM action, so its holder can grant itself any permission",
};
/**
 * What the AWS managed *FullAccess policies (AmazonS3FullAccess, AmazonEC2FullAccess,
 * AWSLambda_FullAccess...) grant: every action of their service on Resource "*", the statement
 * this policy rejects in a document of your own. An attachment has no Condition to narrow it, so
 * they are flagged like the policies above.
 */
const FULL_ACCESS =
    "allows every action of its service on every resource, which this policy rejects in a document of your own";
/** The managed-policy name of a *FullAccess policy (AmazonS3FullAccess, AWSLambda_FullAccess). */
const FULL_ACCESS_NAME = /FullAccess$/;
/**
 * arn:<partition>:iam::aws:policy/[<path>/]<name>, in every partition (aws, aws-cn,
 * aws-us-gov...); AWS managed policies may have a path (service-role/, job-function/).
 */
const AWS_MANAGED_POLICY_ARN =
    /^arn:aws(?:-[a-z]+)*:iam::aws:policy\/(?:[A-Za-z0-9+=,.@_-]+\/)*([A-Za-z0-9+=,.@_-]+)$/;

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

/**
 * Write actions that support no resource-level permissions, so AWS only accepts them with
 * Resource "*" (the Service Authorization Reference lists no resource type for them): custom
 * metrics (AWS's own examples grant cloudwatch:PutMetricData on "*", narrowed by the
 * cloudwatch:namespace condition key), X-Ray traces (the AWSXRayDaemonWriteAccess managed
 * policy), and Session Manager's channels (ssmmessages, as in AmazonSSMManagedInstanceCore).
 */
export const ONLY_ON_EVERY_RESOURCE = [
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
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

/** Whether AWS only accepts `action` on Resource "*" (IAM action names are case-insensitive). */
function onlyOnEveryResource(action: string): boolean {
    return ONLY_ON_EVERY_RESOURCE.some((a) => a.toLowerCase() === action.toLowerCase());
}

/**
 * Reads that return secrets: secret values (Secrets Manager), parameter values, SecureString
 * ones decrypted (Systems Manager Parameter Store, history included), and plaintext from any
 * ciphertext (KMS Decrypt). On Resource "*" they read every secret of the account, so they are
 * held to what writes are: a Resource that names them, or a Condition that narrows.
 */
export const SENSITIVE_READS = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "kms:Decrypt",
] as const;

/** Whether an IAM action pattern (wildcards * and ?, case-insensitive) matches `action`. */
function matches(pattern: string, action: string): boolean {
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`, "i").test(action);
}

/** Whether an action is, or is a read pattern that covers, a sensitive read (kms:Decrypt, ssm:Get*). */
function isSensitiveRead(action: string): boolean {
    return SENSITIVE_READS.some(
        (sensitive) =>
            sensitive.toLowerCase() === action.toLowerCase() ||
            (isReadAction(action) && matches(action, sensitive)),
    );
}

/** Global condition keys about the resource a request reaches, lowercase. */
const RESOURCE_KEYS = [
    "aws:tagkeys",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
];

/**
 * Whether a statement's Condition limits the resources its actions reach: a key on the tags of
 * the resource or request (aws:ResourceTag/..., aws:RequestTag/..., aws:TagKeys), on the
 * resource's account or organization, or a service's own key (ec2:CreateAction,
 * autoscaling:ResourceTag/..., iam:AWSServiceName...), under an operator that really narrows
 * (not ...IfExists, ForAllValues:, a negated operator or Null "true": see narrowingOperator).
 * Global keys about the caller or the connection (aws:SourceIp, aws:SecureTransport,
 * aws:RequestedRegion...) limit no resource. UNKNOWN when the Condition is not known yet.
 */
function conditionNarrowsResources(statement: Statement): boolean | typeof UNKNOWN {
    const { entries, unknown } = narrowingEntries(statement);
    const narrows = entries.some(([, key]) => {
        const k = key.toLowerCase();
        return (
            !k.startsWith("aws:") ||
            k.startsWith("aws:resourcetag/") ||
            k.startsWith("aws:requesttag/") ||
            RESOURCE_KEYS.includes(k)
        );
    });
    return narrows ? true : unknown ? UNKNOWN : false;
}

/** `"a", "b"` */
function quoted(actions: string[]): string {
    return actions.map((a) => `"${a}"`).join(", ");
}

/**
 * What is wrong with one statement, and how to fix each. Actions are read first, so a Resource
 * or a Condition not known yet never hides Action "*" or NotAction; "*" among unknown actions is
 * still found.
 */
function problems(statement: Statement): string[] {
    if (!isAllow(statement)) return [];
    const { body, label } = statement;
    const actions = knownStrings(body, "Action").values;
    const every = actions.find(isEveryAction);
    if (every !== undefined) {
        return [
            `${label} allows every action ("${every}"), which makes its holder an administrator: list the specific actions needed (for example "s3:GetObject", "s3:PutObject") instead.`,
        ];
    }
    if (read(body, "NotAction") !== undefined) {
        return [
            `${label} allows every action but its NotAction list, which includes any action AWS adds later: list the specific actions needed in Action instead of using NotAction.`,
        ];
    }
    const notResource = read(body, "NotResource") !== undefined;
    const resources = knownStrings(body, "Resource");
    // "*" itself, or an ARN whose resource part is only wildcards (arn:aws:s3:::*).
    const wildcard = resources.values.find(isEveryResource);
    if (!notResource && wildcard === undefined) return [];
    const writes = actions.filter(
        (a) => !isReadAction(a) && !onlyOnEveryResource(a) && !isSensitiveRead(a),
    );
    const secrets = actions.filter(isSensitiveRead);
    if (writes.length === 0 && secrets.length === 0) return [];
    // Resource "*" narrowed by tags or a service condition key (the cluster autoscaler's,
    // the AWS Load Balancer Controller's and the EBS CSI driver's policies do this); a
    // Condition not known yet is checked once known.
    if (!notResource) {
        const narrows = conditionNarrowsResources(statement);
        if (narrows !== false) return [];
    }
    const on = notResource
        ? "on every resource but its NotResource"
        : wildcard === "*"
          ? 'on Resource "*"'
          : `on Resource "${wildcard}" (every resource of the service, like "*")`;
    const found: string[] = [];
    if (writes.length > 0) {
        const it = writes.length > 1 ? "they" : "it";
        const what = `${label} allows write action${writes.length > 1 ? "s" : ""} ${quoted(writes)}`;
        found.push(
            notResource
                ? `${what} ${on}, so ${it} can change almost every resource of the account: set Resource to the ARNs ${it} must change (for example arn:aws:s3:::my-bucket/*) instead of using NotResource.`
                : `${what} ${on}, so ${it} can change every resource of the account: set Resource to the ARNs ${it} must change (for example arn:aws:s3:::my-bucket/*), or limit the statement with a Condition on the resources' tags (aws:ResourceTag/..., aws:RequestTag/...) or on a condition key of the service.`,
        );
    }
    if (secrets.length > 0) {
        const it = secrets.length > 1 ? "they" : "it";
        const what = `${label} allows secret-reading action${secrets.length > 1 ? "s" : ""} ${quoted(secrets)}`;
        const fix = `set Resource to the ARNs of the secrets, parameters or keys ${it} must read (for example arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/*, arn:aws:ssm:us-east-1:123456789012:parameter/my-app/*)`;
        found.push(
            notResource
                ? `${what} ${on}, so ${it} can read almost every secret value, parameter or KMS-encrypted data of the account: ${fix} instead of using NotResource.`
                : `${what} ${on}, so ${it} can read every secret value, parameter or KMS-encrypted data of the account: ${fix}, or limit the statement with a Condition on the resources' tags (aws:ResourceTag/...) or on a condition key of the service (kms:ViaService, kms:EncryptionContext:...).`,
        );
    }
    return found;
}

/** The violations of the AWS managed policies `arns` lists, attached by `owner`. */
function adminAttachments(owner: string, field: string, arns: unknown[]): string[] {
    return arns.flatMap((arn) => {
        const name = typeof arn === "string" ? AWS_MANAGED_POLICY_ARN.exec(arn)?.[1] : undefined;
        if (name === undefined) return [];
        const grants =
            ADMIN_MANAGED_POLICIES[name] ?? (FULL_ACCESS_NAME.test(name) ? FULL_ACCESS : undefined);
        if (grants === undefined) return [];
        return [
            `${owner} attaches the AWS managed policy ${name} (${field} '${String(arn)}'), which ${grants}: attach a policy of your own that lists the specific actions and resources needed instead.`,
        ];
    });
}

export const awsIamPolicyNoWildcards: ResourceValidationPolicy = {
    name: "aws-iam-policy-no-wildcards",
    description: `AWS IAM identity policies (managed, role, user and group policies, and roles' inline policies) must not allow every action ("*" or "*:*", or NotAction), nor write actions on Resource "*" (or with NotResource) unless a Condition limits the resources (on their tags or a service's condition key); only read actions (verbs starting with ${READ_VERB_PREFIXES.join(", ")}) and the writes AWS only accepts on "*" (${ONLY_ON_EVERY_RESOURCE.join(", ")}) may apply to every resource. Reads that return secrets (${SENSITIVE_READS.join(", ")}, or read patterns covering them) are held to the same rule as writes. A Condition only counts under an operator that really narrows (not ...IfExists, ForAllValues:, a negated operator or Null "true"), and a Resource ARN whose resource part is only wildcards (arn:aws:s3:::*) counts as "*". Roles, users and groups must not be given the AWS managed policies ${Object.keys(ADMIN_MANAGED_POLICIES).join(", ")} nor any AWS managed *FullAccess policy (policy attachments or a role's managedPolicyArns).`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const attachment = ATTACHMENT_TYPES[args.type];
        if (attachment) {
            const [what, field] = attachment;
            const arns = items(read(args.props, field));
            for (const text of adminAttachments(`${what} '${args.name}'`, field, arns)) {
                reportViolation(text);
            }
        }
        const documents: [string, unknown][] = [];
        const what = POLICY_TYPES[args.type];
        if (what) {
            documents.push([`${what} '${args.name}'`, read(args.props, "policy")]);
        } else if (args.type === ROLE_TYPE) {
            items(read(args.props, "inlinePolicies")).forEach((inline, i) => {
                if (!isRecord(inline)) return;
                const named = read(inline, "name");
                const name = typeof named === "string" && named ? `'${named}'` : `#${i + 1}`;
                documents.push([
                    `IAM role '${args.name}' inline policy ${name}`,
                    read(inline, "policy"),
                ]);
            });
        }
        for (const [owner, document] of documents) {
            // A document computed from other resources is checked once it is known.
            if (document === UNKNOWN) continue;
            const parsed = known(() => statements(document));
            if (parsed === UNKNOWN) continue;
            for (const statement of parsed) {
                const found = known(() => problems(statement));
                if (found === UNKNOWN) continue;
                for (const text of found) reportViolation(`${owner} ${text}`);
            }
        }
    },
};
