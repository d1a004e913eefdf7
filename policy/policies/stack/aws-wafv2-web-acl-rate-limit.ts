import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isRecord, items, parseJson, read, UNKNOWN } from "../types";

/*
 * Facts, from the SDK's .d.ts (@pulumi/aws 7.x, wafv2/*.d.ts and types/input.d.ts) and the AWS
 * WAF Developer Guide:
 * - aws.wafv2.WebAcl takes its rules inline (`rules`: name, priority, action, overrideAction,
 *   statement) or as raw JSON in the API's own shape (`ruleJson`: Name, Action: { Block: {} },
 *   Statement: { RateBasedStatement: ... }); separate aws.wafv2.WebAclRule resources (webAclArn,
 *   action, statement) and aws.wafv2.WebAclRuleGroupAssociation resources (webAclArn,
 *   ruleGroupReference.arn or managedRuleGroup, overrideAction "none" | "count") add rules to it.
 * - aws.wafv2.RuleGroup holds `rules` (or `rulesJson`) that a web ACL rule pulls in with
 *   statement.ruleGroupReferenceStatement (arn, ruleActionOverrides, excludedRules); the
 *   referencing rule's overrideAction { count: {} } turns every rule of the group to count.
 * - A rate-based statement cannot be nested in another statement ("Not nestable", AWS WAF
 *   Developer Guide, waf-rule-statement-type-rate-based.html): it is the top-level statement of a
 *   rule of a web ACL or of a rule group, so only top-level statements are read here.
 * - aggregateKeyType is IP, FORWARDED_IP, CUSTOM_KEYS or CONSTANT (SDK doc of
 *   WebAclRuleStatementRateBasedStatement); CONSTANT keeps one counter for every request the
 *   scope-down statement matches, so it limits all clients together, not each client.
 * - Rate-based rules work in web ACLs of both scopes, REGIONAL and CLOUDFRONT, so both are held
 *   to the rule.
 */
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const WEB_ACL_RULE = "aws:wafv2/webAclRule:WebAclRule";
const RULE_GROUP = "aws:wafv2/ruleGroup:RuleGroup";
const RULE_GROUP_ASSOCIATION = "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation";

/** What one rule contributes: a blocking rate rule, a doubt, or a rate rule that does not block. */
type Finding = "blocks" | "unknown" | Weak;
/** A rate rule that does not block: what it does instead, and why (count mode, CONSTANT key...). */
interface Weak {
    readonly weak: string;
    readonly kind: "count" | "constant" | "other";
}

/** A field in the SDK's camelCase or the WAF API's PascalCase (ruleJson, rulesJson). */
function field(value: unknown, name: string): unknown {
    const camel = read(value, name);
    if (camel !== undefined) return camel;
    const pascal = name === "arn" ? "ARN" : name[0].toUpperCase() + name.slice(1);
    return read(value, pascal);
}

/** Whether a `{ block: {} }`-style action object sets `name`; UNKNOWN when not known yet. */
function sets(action: unknown, name: string): boolean | typeof UNKNOWN {
    const value = field(action, name);
    if (value === UNKNOWN) return UNKNOWN;
    return value !== undefined && value !== null;
}

/** What a rule's action does, in words, when it does not block. */
function actionWords(action: unknown): string {
    for (const [name, words] of [
        ["count", "only counts (count mode)"],
        ["captcha", "only asks for a CAPTCHA"],
        ["challenge", "only sends a silent challenge"],
        ["allow", "allows"],
    ] as const) {
        if (sets(action, name) === true) return words;
    }
    return "has no block action";
}

/** The rules of a rules list or raw JSON rules, UNKNOWN when either is not known yet. */
function rulesOf(props: unknown, listKey: string, jsonKey: string): unknown[] | typeof UNKNOWN {
    const list = read(props, listKey);
    const json = read(props, jsonKey);
    if (list === UNKNOWN || json === UNKNOWN) return UNKNOWN;
    const parsed = parseJson(json);
    return [...items(list), ...(Array.isArray(parsed) ? parsed : [])];
}

/**
 * The finding of a rule whose top-level statement is a rate-based statement (undefined for any
 * other rule). `where` names the rule in messages.
 */
function rateRule(rule: unknown, where: string): Finding | undefined {
    if (rule === UNKNOWN || !isRecord(rule)) return "unknown";
    const statement = field(rule, "statement");
    if (statement === UNKNOWN) return "unknown";
    const rate = field(statement, "rateBasedStatement");
    if (rate === UNKNOWN) return "unknown";
    if (!isRecord(rate)) return undefined;
    const action = field(rule, "action");
    const key = field(rate, "aggregateKeyType");
    const block = sets(action, "block");
    if (action === UNKNOWN || key === UNKNOWN || block === UNKNOWN) return "unknown";
    if (key === "CONSTANT") {
        return {
            weak: `${where} counts every client together (aggregateKeyType CONSTANT)`,
            kind: "constant",
        };
    }
    if (block) return "blocks";
    return {
        weak: `${where} ${actionWords(action)}`,
        kind: sets(action, "count") === true ? "count" : "other",
    };
}

/** The name of a rule, for messages (rule names are not secret). */
function ruleName(rule: unknown): string {
    const name = isRecord(rule) ? field(rule, "name") : undefined;
    return typeof name === "string" && name !== "" ? `'${name}'` : "(unnamed)";
}

/** Overrides a web ACL puts on the rules of a rule group it references. */
interface GroupUse {
    /** The referencing rule's overrideAction is count: every rule of the group only counts. */
    readonly countAll: boolean;
    /** Rule names whose action is overridden, with whether the new action blocks. */
    readonly overrides: ReadonlyMap<string, boolean | typeof UNKNOWN>;
    /** Rule names excluded (set to count) by the legacy excludedRules. */
    readonly excluded: readonly string[];
}

function groupUse(reference: unknown, countAll: boolean): GroupUse | typeof UNKNOWN {
    const overrides = new Map<string, boolean | typeof UNKNOWN>();
    const list = field(reference, "ruleActionOverrides");
    const excludedList = field(reference, "excludedRules");
    if (list === UNKNOWN || excludedList === UNKNOWN) return UNKNOWN;
    for (const o of items(list)) {
        const name = field(o, "name");
        if (name === UNKNOWN || o === UNKNOWN) return UNKNOWN;
        if (typeof name === "string") overrides.set(name, sets(field(o, "actionToUse"), "block"));
    }
    const excluded = items(excludedList)
        .map((e) => field(e, "name"))
        .filter((n): n is string => typeof n === "string");
    return { countAll, overrides, excluded };
}

/** The findings of the rate rules of an in-stack rule group, as a web ACL uses it. */
function groupFindings(group: PolicyResource, use: GroupUse): Finding[] {
    const rules = rulesOf(group.props, "rules", "rulesJson");
    if (rules === UNKNOWN) return ["unknown"];
    const findings: Finding[] = [];
    for (const rule of rules) {
        const name = ruleName(rule);
        const where = `rate-based rule ${name} of rule group '${group.name}'`;
        const finding = rateRule(rule, where);
        if (finding === undefined || finding === "unknown") {
            if (finding) findings.push(finding);
            continue;
        }
        const plain = typeof field(rule, "name") === "string" ? String(field(rule, "name")) : "";
        const override = use.overrides.get(plain);
        if (override === UNKNOWN) {
            findings.push("unknown");
        } else if (use.countAll) {
            findings.push({
                weak: `${where} is overridden to count by the web ACL`,
                kind: "count",
            });
        } else if (use.excluded.includes(plain)) {
            findings.push({ weak: `${where} is excluded (counted) by the web ACL`, kind: "count" });
        } else if (override === false) {
            findings.push({
                weak: `${where} has its action overridden by the web ACL to something other than block`,
                kind: "count",
            });
        } else if (override === true) {
            // The web ACL's override to block arms the rule, whatever its own action.
            findings.push(finding !== "blocks" && finding.kind === "constant" ? finding : "blocks");
        } else {
            findings.push(finding);
        }
    }
    return findings;
}

/**
 * The in-stack rule group an ARN names: the group whose arn it is or, while it is not known yet,
 * the one group it is computed from (`from`: the property dependencies of the referencing
 * property). UNKNOWN when that cannot be told; undefined when the ARN is of a group outside the
 * stack.
 */
function resolveGroup(
    arn: unknown,
    from: readonly string[],
    groups: readonly PolicyResource[],
): PolicyResource | typeof UNKNOWN | undefined {
    if (typeof arn === "string") {
        return groups.find((g) => read(g.props, "arn") === arn);
    }
    const candidates = groups.filter((g) => from.includes(g.urn));
    return candidates.length === 1 ? candidates[0] : UNKNOWN;
}

/** Whether `resource` (a WebAclRule or rule group association) belongs to `acl`. */
function attached(resource: PolicyResource, acl: PolicyResource): boolean {
    const target = read(resource.props, "webAclArn");
    const arn = read(acl.props, "arn");
    if (typeof target === "string" && typeof arn === "string") return target === arn;
    return (resource.propertyDependencies["webAclArn"] ?? []).some((d) => d.urn === acl.urn);
}

export const awsWafv2WebAclRateLimit: StackValidationPolicy = {
    name: "aws-wafv2-web-acl-rate-limit",
    description:
        "Every AWS WAFv2 web ACL (aws.wafv2.WebAcl, REGIONAL or CLOUDFRONT scope) must hold a rate-based rule that blocks: a rule whose top-level statement is a rateBasedStatement aggregated per client (aggregateKeyType IP, FORWARDED_IP or CUSTOM_KEYS, not CONSTANT) and whose action is block, so a client over the limit is stopped. The rule may be inline (rules or ruleJson), an aws.wafv2.WebAclRule of the ACL, or a rule of an aws.wafv2.RuleGroup of the same stack that the ACL references (ruleGroupReferenceStatement or aws.wafv2.WebAclRuleGroupAssociation) without overriding it to count. A rate rule in count, CAPTCHA or challenge mode does not count; rule groups outside the stack and AWS managed rule groups cannot be seen and do not count. Rules or ARNs not known until deployment are never violations.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const groups = args.resources.filter((r) => r.type === RULE_GROUP);
        for (const acl of args.resources.filter((r) => r.type === WEB_ACL)) {
            const findings: Finding[] = [];
            const unseen: string[] = [];
            const useGroup = (
                arn: unknown,
                from: readonly string[],
                use: GroupUse | typeof UNKNOWN,
                label: string,
            ) => {
                const group = resolveGroup(arn, from, groups);
                if (group === UNKNOWN || use === UNKNOWN) findings.push("unknown");
                else if (group === undefined) unseen.push(label);
                else findings.push(...groupFindings(group, use));
            };

            const rules = rulesOf(acl.props, "rules", "ruleJson");
            if (rules === UNKNOWN) continue;
            const ruleResources = args.resources.filter(
                (r) => r.type === WEB_ACL_RULE && attached(r, acl),
            );
            const inline: [unknown, string, readonly string[]][] = [
                ...rules.map((rule): [unknown, string, readonly string[]] => [
                    rule,
                    `rate-based rule ${ruleName(rule)}`,
                    (acl.propertyDependencies["rules"] ?? []).map((d) => d.urn),
                ]),
                ...ruleResources.map((r): [unknown, string, readonly string[]] => [
                    r.props,
                    `rate-based rule ${ruleName(r.props)} (aws.wafv2.WebAclRule '${r.name}')`,
                    (r.propertyDependencies["statement"] ?? []).map((d) => d.urn),
                ]),
            ];
            for (const [rule, where, from] of inline) {
                const finding = rateRule(rule, where);
                if (finding !== undefined) {
                    findings.push(finding);
                    continue;
                }
                const statement = field(rule, "statement");
                const reference = field(statement, "ruleGroupReferenceStatement");
                const managed = field(statement, "managedRuleGroupStatement");
                if (reference === UNKNOWN || managed === UNKNOWN) {
                    findings.push("unknown");
                } else if (isRecord(reference)) {
                    const override = field(rule, "overrideAction");
                    const countAll = sets(override, "count");
                    useGroup(
                        field(reference, "arn"),
                        from,
                        countAll === UNKNOWN ? UNKNOWN : groupUse(reference, countAll),
                        `rule group of rule ${ruleName(rule)}`,
                    );
                } else if (isRecord(managed)) {
                    unseen.push(`managed rule group of rule ${ruleName(rule)}`);
                }
            }
            for (const association of args.resources.filter(
                (r) => r.type === RULE_GROUP_ASSOCIATION && attached(r, acl),
            )) {
                const reference = read(association.props, "ruleGroupReference");
                const override = read(association.props, "overrideAction");
                if (reference === UNKNOWN || override === UNKNOWN) {
                    findings.push("unknown");
                } else if (isRecord(reference)) {
                    useGroup(
                        read(reference, "arn"),
                        (association.propertyDependencies["ruleGroupReference"] ?? []).map(
                            (d) => d.urn,
                        ),
                        groupUse(reference, override === "count"),
                        `rule group of aws.wafv2.WebAclRuleGroupAssociation '${association.name}'`,
                    );
                } else {
                    unseen.push(
                        `managed rule group of aws.wafv2.WebAclRuleGroupAssociation '${association.name}'`,
                    );
                }
            }

            if (findings.some((f) => f === "blocks" || f === "unknown")) continue;
            const weak = findings.filter((f): f is Weak => typeof f === "object");
            const notSeen = unseen.length
                ? ` Rules of the ${unseen.join(", ")} are not counted: rule groups outside this stack and AWS managed rule groups cannot be seen by this policy.`
                : "";
            if (weak.length === 0) {
                reportViolation(
                    `Web ACL '${acl.name}' has no rate-based rule, so no client is ever limited however many requests it sends: add a rule whose statement is a rateBasedStatement (aggregateKeyType "IP" and a limit per evaluation window) with action { block: {} } to its rules (in this blueprint the WebAcl component adds one, limited by multicloud:app.rateLimit.requestsPer5Minutes, when multicloud:aws.waf.enabled is true).${notSeen}`,
                    acl.urn,
                );
                continue;
            }
            const fixes: string[] = [];
            if (weak.some((w) => w.kind === "count")) {
                fixes.push(
                    "a rate rule in count mode limits nothing: once the limit is measured, set its action to { block: {} } (in this blueprint, set multicloud:aws.waf.rateLimitAction to block) and remove any override to count",
                );
            }
            if (weak.some((w) => w.kind !== "count")) {
                fixes.push(
                    'give the rate rule action { block: {} } and aggregateKeyType "IP" (or FORWARDED_IP or CUSTOM_KEYS keyed on the client), so each client over the limit is blocked',
                );
            }
            reportViolation(
                `Web ACL '${acl.name}' has no rate-based rule that blocks a client over the limit: ${weak.map((w) => w.weak).join("; ")}. To fix it, ${fixes.join("; ")}.${notSeen}`,
                acl.urn,
            );
        }
    },
};
