import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    DEFAULT_RATE_LIMIT_ACTION,
    DEFAULT_WAF_LOG_RETENTION_DAYS,
    LOG_RETENTION_DAYS,
    RateLimitAction,
    WAF_NAME,
    repeatedExcludedRules,
    WAF_RATE_LIMIT_ACTIONS,
    WAF_RATE_LIMIT_MAX,
    WAF_RATE_LIMIT_MIN,
} from "./checks";
import { DEFAULT_REQUESTS_PER_5_MINUTES } from "../app/checks";
import { throwIfInvalid } from "../validation";

export { LOG_RETENTION_DAYS, WAF_RATE_LIMIT_MAX, WAF_RATE_LIMIT_MIN } from "./checks";

/**
 * WAF only logs to a CloudWatch Logs group (or Firehose stream, or S3 bucket) whose name starts
 * with this (SDK doc of `aws.wafv2.WebAclLoggingConfiguration.logDestinationConfigs`).
 */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/** The AWS managed rule group the web ACL runs first: the OWASP-style baseline. */
export const COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet";
/**
 * Name of the rate-based rule. It is also the rule's metric name, so the `Rule` dimension of the
 * `AWS/WAFV2` metrics is this string whichever of the two CloudWatch uses.
 */
export const RATE_RULE_NAME = "rate-limit-per-ip";
/** Priorities of the two rules: the managed rule group first, then the rate limit. */
export const RULE_PRIORITIES = { commonRuleSet: 10, rateLimit: 20 } as const;
/** The rate-based rule's window: WAF's classic 5 minutes, set explicitly rather than defaulted. */
export const RATE_WINDOW_SECONDS = 300;
/** Request headers kept out of the WAF logs (WAF wants header names in lower case). */
export const REDACTED_HEADERS: readonly string[] = ["authorization", "cookie"];

/** WAF associates regional web ACLs with Application Load Balancers only (not NLB or GWLB). */
const ALB_ARN =
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[A-Za-z0-9-]+\/[0-9a-f]+$/;

export interface WebAclArgs {
    /** ARN of the Application Load Balancer the web ACL protects. */
    readonly loadBalancerArn: pulumi.Input<string>;
    /**
     * Requests one client IP may send in any 5-minute window before the rate rule acts: a whole
     * number from {@link WAF_RATE_LIMIT_MIN} to {@link WAF_RATE_LIMIT_MAX}.
     * @default 2000
     */
    readonly requestsPer5Minutes?: number;
    /**
     * What the rate rule does to a client over the limit: `block` it (HTTP 403) or only `count`
     * it, to measure a new limit before enforcing it.
     * @default "block"
     */
    readonly rateLimitAction?: RateLimitAction;
    /**
     * Rules of `AWSManagedRulesCommonRuleSet` switched to count mode (matched, measured and
     * logged, never blocked), e.g. `SizeRestrictions_BODY` for an app that takes large uploads.
     * Names are case-sensitive, and WAF silently ignores an override whose name matches no rule
     * of a managed group: copy them from the rule group's documentation.
     * @default []
     */
    readonly commonRuleSetExcludedRules?: readonly string[];
    /**
     * Days the WAF logs are kept: one of the values CloudWatch Logs accepts
     * ({@link LOG_RETENTION_DAYS}; 0 keeps them forever).
     * @default 90
     */
    readonly logRetentionDays?: number;
    /** Tags of the web ACL and its log group. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with `args`, each naming the argument and the fix; empty when valid. */
export function validateWebAclArgs(name: string, args: WebAclArgs): string[] {
    const problems: string[] = [];
    if (!WAF_NAME.test(name)) {
        problems.push(
            `name '${name}' must be 1-128 letters, digits, hyphens or underscores: it names the web ACL, its metrics and its log group, and WAF accepts nothing else in those names`,
        );
    }
    if (typeof args.loadBalancerArn === "string" && !ALB_ARN.test(args.loadBalancerArn)) {
        problems.push(
            `loadBalancerArn '${args.loadBalancerArn}' is not an Application Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>): WAF protects ALBs only`,
        );
    }
    const limit = args.requestsPer5Minutes ?? DEFAULT_REQUESTS_PER_5_MINUTES;
    if (!Number.isInteger(limit)) {
        problems.push(
            `requestsPer5Minutes (${limit}) must be a whole number of requests: WAF counts requests, give e.g. ${DEFAULT_REQUESTS_PER_5_MINUTES}`,
        );
    }
    if (limit < WAF_RATE_LIMIT_MIN) {
        problems.push(
            `requestsPer5Minutes (${limit}) is below WAF's minimum of ${WAF_RATE_LIMIT_MIN} requests per 5 minutes: raise it to at least ${WAF_RATE_LIMIT_MIN}`,
        );
    } else if (limit > WAF_RATE_LIMIT_MAX) {
        problems.push(
            `requestsPer5Minutes (${limit}) is above WAF's maximum of ${WAF_RATE_LIMIT_MAX} requests per 5 minutes: lower it to at most ${WAF_RATE_LIMIT_MAX}`,
        );
    }
    const action = args.rateLimitAction ?? DEFAULT_RATE_LIMIT_ACTION;
    if (!(WAF_RATE_LIMIT_ACTIONS as readonly string[]).includes(action)) {
        problems.push(
            `rateLimitAction '${String(action)}' must be ${WAF_RATE_LIMIT_ACTIONS.map((a) => `"${a}"`).join(" or ")}`,
        );
    }
    const excluded = args.commonRuleSetExcludedRules ?? [];
    for (const rule of excluded.filter((r) => !WAF_NAME.test(r))) {
        problems.push(
            `commonRuleSetExcludedRules: '${rule}' is not a rule name (1-128 letters, digits, hyphens and underscores, e.g. SizeRestrictions_BODY)`,
        );
    }
    for (const rule of repeatedExcludedRules(excluded)) {
        problems.push(`commonRuleSetExcludedRules lists '${rule}' more than once: list it once`);
    }
    const retention = args.logRetentionDays ?? DEFAULT_WAF_LOG_RETENTION_DAYS;
    if (!LOG_RETENTION_DAYS.includes(retention)) {
        problems.push(
            `logRetentionDays (${retention}) is not a retention CloudWatch Logs offers: use one of ${LOG_RETENTION_DAYS.join(", ")} (0 keeps logs forever)`,
        );
    }
    return problems;
}

/** A short, stable hash (FNV-1a, 8 hex digits) that keeps a shortened name unique. */
function fnv1a(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return h.toString(16).padStart(8, "0");
}

/**
 * The web ACL's name, which is also its metric name (the `WebACL` dimension of the `AWS/WAFV2`
 * metrics the dashboards read): `<project>-<stack>-<name>`, so that two stacks in one account
 * and region never collide. Characters WAF refuses (stack names may hold dots) become hyphens;
 * over WAF's 128 characters, the end gives way to a hash of the whole.
 */
export function webAclNameFor(project: string, stack: string, name: string): string {
    const full = `${project}-${stack}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-");
    return full.length <= 128 ? full : `${full.slice(0, 119)}-${fnv1a(full)}`;
}

/**
 * An AWS WAFv2 web ACL (regional) in front of an Application Load Balancer: the AWS managed
 * common rule set, then a per-IP rate limit over 5 minutes, with CloudWatch metrics and sampled
 * requests for the ACL and each rule, and full request logs (authorization and cookie headers
 * redacted) in a CloudWatch Logs group.
 */
export class WebAcl extends pulumi.ComponentResource {
    public readonly webAclArn: pulumi.Output<string>;
    public readonly webAclId: pulumi.Output<string>;
    /** The web ACL's name, equal to its metric name: the `WebACL` dimension of `AWS/WAFV2`. */
    public readonly webAclName: pulumi.Output<string>;
    /** The `Rule` dimension of the rate rule's `AWS/WAFV2` metrics. */
    public readonly rateRuleMetricName: string;
    /** The `Rule` dimension of the managed rule group's `AWS/WAFV2` metrics. */
    public readonly commonRuleSetMetricName: string;
    public readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: WebAclArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("WebAcl", name, validateWebAclArgs(name, args));
        super("multicloud:aws:WebAcl", name, {}, opts);

        // --- Defaults, settled once ---------------------------------------------------------
        const requestsPer5Minutes = args.requestsPer5Minutes ?? DEFAULT_REQUESTS_PER_5_MINUTES;
        const rateLimitAction = args.rateLimitAction ?? DEFAULT_RATE_LIMIT_ACTION;
        const excludedRules = args.commonRuleSetExcludedRules ?? [];
        const logRetentionDays = args.logRetentionDays ?? DEFAULT_WAF_LOG_RETENTION_DAYS;
        const tags = { ...args.tags };
        const aclName = webAclNameFor(pulumi.getProject(), pulumi.getStack(), name);
        const parent = { parent: this };

        const visibility = (metricName: string) => ({
            cloudwatchMetricsEnabled: true,
            sampledRequestsEnabled: true,
            metricName,
        });

        // --- The web ACL: allow by default, managed rules first, then the rate limit -------
        // Named explicitly (not autonamed) so that its metric name can equal its name: the
        // dashboards then find the ACL's metrics by the name this component exports.
        const acl = new aws.wafv2.WebAcl(
            name,
            {
                name: aclName,
                description: `${name}: AWS managed common rules and a per-IP rate limit in front of the load balancer`,
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                rules: [
                    {
                        name: COMMON_RULE_SET,
                        priority: RULE_PRIORITIES.commonRuleSet,
                        // `none` keeps the group's own actions (block); `count` would disarm it.
                        overrideAction: { none: {} },
                        statement: {
                            managedRuleGroupStatement: {
                                name: COMMON_RULE_SET,
                                vendorName: "AWS",
                                ruleActionOverrides: excludedRules.map((rule) => ({
                                    name: rule,
                                    actionToUse: { count: {} },
                                })),
                            },
                        },
                        visibilityConfig: visibility(COMMON_RULE_SET),
                    },
                    {
                        name: RATE_RULE_NAME,
                        priority: RULE_PRIORITIES.rateLimit,
                        action: rateLimitAction === "block" ? { block: {} } : { count: {} },
                        statement: {
                            rateBasedStatement: {
                                limit: requestsPer5Minutes,
                                evaluationWindowSec: RATE_WINDOW_SECONDS,
                                aggregateKeyType: "IP",
                            },
                        },
                        visibilityConfig: visibility(RATE_RULE_NAME),
                    },
                ],
                visibilityConfig: visibility(aclName),
                tags,
            },
            parent,
        );

        // --- Request logs ------------------------------------------------------------------
        // The name must start with aws-waf-logs- (SDK doc of WebAclLoggingConfiguration); the
        // prefix plus the provider's random suffix keeps two stacks or instances apart.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                namePrefix: `${WAF_LOG_GROUP_PREFIX}${name}-`,
                retentionInDays: logRetentionDays,
                tags,
            },
            parent,
        );
        // No CloudWatch Logs resource policy here, on purpose. The SDK doc of
        // WebAclLoggingConfiguration says WAF itself creates or updates a resource policy
        // (`AWSWAF-LOGS`) that lets log delivery write to the group when logging is turned on,
        // and suggests managing a dedicated one only to work around that shared policy outgrowing
        // its size limit in accounts with very many web ACLs. A policy per component would spend
        // the account's quota of 10 resource policies per region (CloudWatch Logs
        // PutResourcePolicy API reference) instead. The deploying identity therefore needs
        // logs:CreateLogDelivery, logs:PutResourcePolicy, logs:DescribeResourcePolicies and
        // logs:DescribeLogGroups.
        new aws.wafv2.WebAclLoggingConfiguration(
            `${name}-logging`,
            {
                resourceArn: acl.arn,
                // The LogGroup's `arn` output already lacks the `:*` suffix WAF refuses
                // (SDK doc of aws.cloudwatch.LogGroup `arn`).
                logDestinationConfigs: [logGroup.arn],
                redactedFields: REDACTED_HEADERS.map((header) => ({
                    singleHeader: { name: header },
                })),
            },
            parent,
        );

        // --- In front of the load balancer ---------------------------------------------------
        new aws.wafv2.WebAclAssociation(
            `${name}-alb`,
            { resourceArn: args.loadBalancerArn, webAclArn: acl.arn },
            parent,
        );

        this.webAclArn = acl.arn;
        this.webAclId = acl.id;
        this.webAclName = acl.name;
        this.rateRuleMetricName = RATE_RULE_NAME;
        this.commonRuleSetMetricName = COMMON_RULE_SET;
        this.logGroupName = logGroup.name;
        this.registerOutputs({
            webAclArn: this.webAclArn,
            webAclId: this.webAclId,
            webAclName: this.webAclName,
            rateRuleMetricName: this.rateRuleMetricName,
            commonRuleSetMetricName: this.commonRuleSetMetricName,
            logGroupName: this.logGroupName,
        });
    }
}
