import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, items, known, read, UNKNOWN, type Unknown } from "../types";

/** Role and ClusterRole, in every RBAC API version the SDK offers, patches included. */
export const ROLE_TYPE =
    /^kubernetes:rbac\.authorization\.k8s\.io\/v1(?:alpha1|beta1)?:((?:Cluster)?Role)(?:Patch)?$/;

/** One rule of a role, its lists read defensively (items not known yet left out). */
export interface Rule {
    readonly index: number;
    readonly apiGroups: readonly string[] | Unknown;
    readonly resources: readonly string[];
    readonly verbs: readonly string[];
    readonly resourceNames: readonly string[] | Unknown;
}

/** The known strings of a list; UNKNOWN when the list, or one of its items, is not known yet. */
function strings(value: unknown): string[] | Unknown {
    if (value === UNKNOWN) return UNKNOWN;
    const values = items(value);
    if (values.includes(UNKNOWN)) return UNKNOWN;
    return values.filter((v): v is string => typeof v === "string");
}

/** The known strings of a list, items not known yet left out. */
function knownStrings(value: unknown): string[] {
    return items(value).filter((v): v is string => typeof v === "string");
}

/**
 * Whether the control plane fills in the role's rules: a ClusterRole with an aggregationRule
 * gets the union of the rules of the ClusterRoles its selectors match, and "the control plane
 * overwrites any values that you manually specify in the rules field of an aggregate
 * ClusterRole" (kubernetes.io/docs/reference/access-authn-authz/rbac, "Aggregated
 * ClusterRoles"). UNKNOWN when that is not known yet.
 */
export function isAggregated(props: unknown): boolean | Unknown {
    const rule = read(props, "aggregationRule");
    if (rule === UNKNOWN) return UNKNOWN;
    return isRecord(rule);
}

/** The rules of a role as it will be granted; none for an aggregated ClusterRole (see above). */
export function rulesOf(props: unknown): Rule[] {
    if (isAggregated(props) !== false) return [];
    const rules: Rule[] = [];
    items(read(props, "rules")).forEach((rule, index) => {
        if (!isRecord(rule)) return;
        rules.push({
            index,
            apiGroups: strings(read(rule, "apiGroups")),
            resources: knownStrings(read(rule, "resources")),
            verbs: knownStrings(read(rule, "verbs")),
            resourceNames: strings(read(rule, "resourceNames")),
        });
    });
    return rules;
}

/**
 * Whether a rule reaches the core API group (""), where Secrets are: RBAC matches a request's
 * group against apiGroups exactly, "*" matching every group. A rule naming only other groups
 * grants nothing on Secrets, whatever its resources say. UNKNOWN when apiGroups is not known.
 */
export function reachesCoreGroup(rule: Rule): boolean | Unknown {
    if (rule.apiGroups === UNKNOWN) return UNKNOWN;
    return rule.apiGroups.some((g) => g === "" || g === "*");
}

/** Whether a rule names Secrets (or a subresource of them, as the gitops lint counts them). */
export function namesSecrets(rule: Rule): boolean {
    return rule.resources.some((r) => r === "secrets" || r.startsWith("secrets/"));
}

/** "a", "a and b", "a, b and c". */
export function words(values: readonly string[]): string {
    return values.length > 1
        ? `${values.slice(0, -1).join(", ")} and ${values[values.length - 1]}`
        : (values[0] ?? "");
}

// ---------------------------------------------------------------------------------------------
// Aggregation of built-in ClusterRoles

/** The built-in ClusterRoles an aggregationRule may copy that grant what these policies reject. */
export type BuiltIn = "cluster-admin" | "edit" | "system:aggregate-to-edit";

/**
 * The labels of those built-in ClusterRoles (kubernetes/kubernetes
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml): every default
 * role carries kubernetes.io/bootstrapping=rbac-defaults, so a selector matching that label alone
 * copies cluster-admin (every verb on every resource) and admin; edit is aggregated into admin,
 * and system:aggregate-to-edit into edit. edit and system:aggregate-to-edit write Secrets and
 * grant impersonate on serviceaccounts.
 */
const BUILT_IN_LABELS: Readonly<Record<BuiltIn, Readonly<Record<string, string>>>> = {
    "cluster-admin": { "kubernetes.io/bootstrapping": "rbac-defaults" },
    edit: {
        "kubernetes.io/bootstrapping": "rbac-defaults",
        "rbac.authorization.k8s.io/aggregate-to-admin": "true",
    },
    "system:aggregate-to-edit": {
        "kubernetes.io/bootstrapping": "rbac-defaults",
        "rbac.authorization.k8s.io/aggregate-to-edit": "true",
    },
};

/** Whether a LabelSelector matches `labels`; UNKNOWN when part of it is not known yet. */
function selects(
    selector: Record<string, unknown>,
    labels: Record<string, string>,
): boolean | Unknown {
    const matchLabels = read(selector, "matchLabels");
    if (matchLabels === UNKNOWN) return UNKNOWN;
    if (isRecord(matchLabels)) {
        for (const key of Object.keys(matchLabels)) {
            // Label keys hold dots (kubernetes.io/...): read them whole, not as a dotted path.
            const value = known(() => matchLabels[key]);
            if (value === UNKNOWN) return UNKNOWN;
            if (labels[key] !== value) return false;
        }
    }
    for (const expression of items(read(selector, "matchExpressions"))) {
        if (expression === UNKNOWN) return UNKNOWN;
        if (!isRecord(expression)) continue;
        const key = read(expression, "key");
        const operator = read(expression, "operator");
        const values = strings(read(expression, "values"));
        if (key === UNKNOWN || operator === UNKNOWN || values === UNKNOWN) return UNKNOWN;
        if (typeof key !== "string") return false;
        const has = Object.prototype.hasOwnProperty.call(labels, key);
        const matches =
            operator === "In"
                ? has && values.includes(labels[key])
                : operator === "NotIn"
                  ? !has || !values.includes(labels[key])
                  : operator === "Exists"
                    ? has
                    : operator === "DoesNotExist"
                      ? !has
                      : false; // the API server refuses any other operator
        if (!matches) return false;
    }
    return true;
}

/**
 * For each selector of a ClusterRole's aggregationRule, the built-in ClusterRoles above it copies
 * (none for a selector not known yet).
 */
export function aggregatedBuiltIns(props: unknown): { index: number; builtIns: BuiltIn[] }[] {
    if (isAggregated(props) !== true) return [];
    const found: { index: number; builtIns: BuiltIn[] }[] = [];
    items(read(props, "aggregationRule.clusterRoleSelectors")).forEach((selector, index) => {
        if (!isRecord(selector)) return;
        const builtIns = (Object.keys(BUILT_IN_LABELS) as BuiltIn[]).filter(
            (name) => selects(selector, BUILT_IN_LABELS[name]) === true,
        );
        if (builtIns.length > 0) found.push({ index, builtIns });
    });
    return found;
}

/** How messages name what a selector copies (admin has cluster-admin's labels). */
export function builtInText(builtIns: readonly BuiltIn[]): string {
    const names = builtIns.flatMap((b) => (b === "cluster-admin" ? [b, "admin"] : [b]));
    return `the built-in ClusterRole${names.length > 1 ? "s" : ""} ${words(names)}`;
}

/** The fix for a selector that copies built-in ClusterRoles. */
export const AGGREGATION_FIX =
    'select only ClusterRoles of your own, by a label of your own (for example example.com/aggregate-to-monitoring: "true"), or list the rules the role needs instead of aggregating';

// ---------------------------------------------------------------------------------------------
// The policy

/** The verbs that change Secrets; "*" is every verb. */
export const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"] as const;

export const kubernetesRoleNoSecretWrites: ResourceValidationPolicy = {
    name: "kubernetes-role-no-secret-writes",
    description: `Kubernetes Roles and ClusterRoles must not grant ${words(WRITE_VERBS.map((v) => `"${v}"`))} or "*" on secrets (or a subresource of them) in the core API group ("" or "*"), whatever their resourceNames, as the repository's gitops lint already forbids: Secrets hold the credentials and keys workloads trust. A rule whose apiGroups leave out the core group grants nothing on Secrets and is accepted. A ClusterRole with an aggregationRule is checked on what it copies, not on its rules (which the control plane overwrites): its selectors must not match, by their labels, the built-in ClusterRoles cluster-admin, admin, edit or system:aggregate-to-edit, which all write Secrets. Selectors of other labels are accepted: the ClusterRoles that carry those labels are checked like any other.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = ROLE_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        for (const rule of rulesOf(args.props)) {
            // A rule whose API groups are computed from other resources is checked once known.
            if (reachesCoreGroup(rule) !== true || !namesSecrets(rule)) continue;
            const writes = [...WRITE_VERBS, "*"].filter((v) => rule.verbs.includes(v));
            if (writes.length === 0) continue;
            reportViolation(
                `${kind} '${args.name}' rules[${rule.index}] grants ${words(writes.map((v) => `"${v}"`))} on secrets, which lets its holders replace or delete the credentials and TLS keys workloads use, or plant their own: remove ${writes.length > 1 ? "these verbs" : "this verb"} from rules[${rule.index}].verbs (keep "get" with resourceNames for Secrets it must read), and let the deployment write Secrets (Pulumi, or an operator such as External Secrets) rather than a role that people or pods hold.`,
            );
        }
        for (const { index, builtIns } of aggregatedBuiltIns(args.props)) {
            reportViolation(
                `${kind} '${args.name}' aggregationRule.clusterRoleSelectors[${index}] copies the rules of ${builtInText(builtIns)}, which write Secrets: ${AGGREGATION_FIX}.`,
            );
        }
    },
};
