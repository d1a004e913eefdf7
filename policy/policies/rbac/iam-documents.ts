/** Reading AWS IAM policy documents (identity and trust policies) given as JSON text or objects. */
import { isRecord, items, known, list, parseJson, type Props, read, UNKNOWN } from "../types";

/** One statement of a policy document, with the label violation messages name it by. */
export interface Statement {
    readonly label: string;
    readonly body: Props;
}

/**
 * The statements of a policy document; none when it is missing or not valid JSON. A statement
 * not known yet (an object document with an output in it) is left out; the others keep their
 * position in the document as their number.
 */
export function statements(document: unknown): Statement[] {
    const parsed = parseJson(document);
    if (!isRecord(parsed)) return [];
    return items(read(parsed, "Statement")).flatMap((body, i) => {
        if (!isRecord(body)) return [];
        const sid = read(body, "Sid");
        const label =
            typeof sid === "string" && sid !== "" ? `statement "${sid}"` : `statement #${i + 1}`;
        return [{ label, body }];
    });
}

/** Whether a statement allows (IAM's Effect is case-sensitive: only "Allow" grants). */
export function isAllow(statement: Statement): boolean {
    return read(statement.body, "Effect") === "Allow";
}

/** The strings of a statement field that may be a string or a list of strings. */
export function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}

/**
 * The known strings of a statement field (`field` of `body`), and whether some are not known
 * yet: an unknown element never hides a known one (Action ["*", <output>] is still "*").
 */
export function knownStrings(body: Props, field: string): { values: string[]; unknown: boolean } {
    const value = read(body, field);
    const all = value === UNKNOWN ? [UNKNOWN] : items(value);
    return {
        values: all.filter((v): v is string => typeof v === "string"),
        unknown: all.includes(UNKNOWN),
    };
}

/** Whether a statement has a non-empty Condition block. */
export function hasCondition(statement: Statement): boolean {
    const condition = read(statement.body, "Condition");
    return condition === UNKNOWN || (isRecord(condition) && Object.keys(condition).length > 0);
}

/**
 * Whether a condition operator only lets in requests whose key matches (so the key narrows the
 * statement). It does not when:
 * - it ends in IfExists: "If the policy key is not present in the request context, the condition
 *   evaluates as true" (IAM JSON policy reference, Condition operators, ...IfExists);
 * - it is ForAllValues:, which "also returns true if there are no context keys in the request"
 *   (IAM JSON policy reference, Single-valued vs. multivalued context keys, ForAllValues);
 * - it is negated (StringNotEquals, ArnNotLike, NotIpAddress...): it admits every other value,
 *   and "if the policy condition requires that the key is not matched ... and the right key is
 *   not present, the condition is true" (Condition operators);
 * - it is Null with "true", which admits every request without the key.
 * Null with "false" requires the key to be present: a tag key that must be set does narrow.
 * docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
export function narrowingOperator(operator: string, value: unknown): boolean {
    const op = operator.toLowerCase();
    if (op.endsWith("ifexists") || op.startsWith("forallvalues:")) return false;
    const base = op.replace(/^foranyvalue:/, "");
    if (base.includes("not")) return false;
    if (base === "null") return list(value).every((v) => String(v).toLowerCase() === "false");
    return true;
}

/**
 * The [operator, key, value] entries of a statement's Condition whose operator narrows (see
 * narrowingOperator). Entries not known yet are left out; `unknown` says some were.
 */
export function narrowingEntries(statement: Statement): {
    entries: [string, string, unknown][];
    unknown: boolean;
} {
    const condition = read(statement.body, "Condition");
    if (condition === UNKNOWN) return { entries: [], unknown: true };
    if (!isRecord(condition)) return { entries: [], unknown: false };
    let unknown = false;
    const entries: [string, string, unknown][] = [];
    for (const operator of Object.keys(condition)) {
        const block = known(() => condition[operator]);
        if (block === UNKNOWN) {
            unknown = true;
            continue;
        }
        if (!isRecord(block)) continue;
        for (const key of Object.keys(block)) {
            const value = known(() => {
                const v = block[key];
                return Array.isArray(v) ? [...v] : v;
            });
            if (value === UNKNOWN) {
                unknown = true;
                continue;
            }
            if (narrowingOperator(operator, value)) entries.push([operator, key, value]);
        }
    }
    return { entries, unknown };
}

/** Whether a pattern has an IAM wildcard (* or ?). */
function hasWildcard(text: string): boolean {
    return /[*?]/.test(text);
}

/** Whether a text is only wildcards and separators ("*", "*:*", "*" slash "*"), nothing literal. */
function onlyWildcards(text: string): boolean {
    return hasWildcard(text) && /^[*?/:]+$/.test(text);
}

/**
 * Whether a Resource or ARN pattern matches every resource of a service or of every service:
 * "*", or an ARN whose resource part (after the fifth colon) is only wildcards, such as
 * "arn:aws:s3:::*", "arn:aws:s3:::*\/*" or "arn:aws:*:*:*:*". An ARN naming a resource type
 * ("arn:aws:ec2:*:*:instance/*") or a name prefix ("arn:aws:s3:::logs-*") does not.
 */
export function isEveryResource(resource: string): boolean {
    if (onlyWildcards(resource)) return true;
    const parts = resource.split(":");
    return parts.length >= 6 && parts[0] === "arn" && onlyWildcards(parts.slice(5).join(":"));
}

/**
 * The literal beginnings of OIDC subjects that name no one: a GitHub Actions subject is
 * repo:<owner>/<repository>:..., an EKS one system:serviceaccount:<namespace>:<name>, a Pulumi
 * one pulumi:deploy:org:<org>:..., a GitLab one project_path:<group>/<project>:..., a Terraform
 * Cloud one organization:<org>:... A pattern that leaves the owner, namespace or organization
 * to a wildcard matches anyone's.
 */
const SUBJECT_SCAFFOLDS = [
    "repo:",
    "system:serviceaccount:",
    "system:serviceaccount",
    "system:",
    "pulumi:deploy:org:",
    "pulumi:",
    "project_path:",
    "organization:",
];

/**
 * Whether a StringLike or ArnLike value lets a wildcard stand where the owner should be named:
 * "*", "repo:*", "system:serviceaccount:*", an ARN whose partition, service or account is a
 * wildcard ("arn:aws:iam::*:role/*") or whose resource part is only wildcards. Patterns that name
 * the owner first ("repo:my-org/*", "arn:aws:iam::123456789012:role/ci-*") are not.
 */
export function isBroadPattern(value: string): boolean {
    if (!hasWildcard(value)) return false;
    const parts = value.split(":");
    if (parts.length >= 6 && parts[0] === "arn") {
        return (
            parts.slice(1, 5).some((p, i) => i !== 2 && hasWildcard(p)) || isEveryResource(value)
        );
    }
    const literal = value.slice(0, value.search(/[*?]/)).toLowerCase();
    return literal === "" || SUBJECT_SCAFFOLDS.includes(literal);
}
