/**
 * The WAF web ACL in front of the load balancer: its two rules, its logging and its association,
 * as a program of nothing but WebAcls registers them under the recording mocks (planned directly,
 * without the stack's program).
 */
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import type * as WebAclModule from "../../../components/aws/WebAcl";
import type { WebAclArgs } from "../../../components/aws/WebAcl";
import { AppSchema } from "../../../config/app";
import { AwsSchema } from "../../../config/aws";
import { byUrn, created, ofType, one, workerModule } from "../../harness";
import { planAws } from "./harness";

/** The component's module as the plans load it: its limits, names and checks, called directly. */
const {
    LOG_RETENTION_DAYS,
    WAF_RATE_LIMIT_MAX,
    WAF_RATE_LIMIT_MIN,
    validateWebAclArgs,
    webAclNameFor,
} = workerModule<typeof WebAclModule>("components/aws/WebAcl");

const T = {
    component: "multicloud:aws:WebAcl",
    acl: "aws:wafv2/webAcl:WebAcl",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    logging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    association: "aws:wafv2/webAclAssociation:WebAclAssociation",
};

const ALB_ARN =
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/app-alb/0123456789abcdef";

/** A program of nothing but WebAcls, on their own AWS provider in eu-west-1. */
function planWebAcls(...acls: [name: string, patch?: Partial<WebAclArgs>][]): Promise<PlanResult> {
    return planAws(({ req, opts }) => {
        const { WebAcl } =
            req<typeof import("../../../components/aws/WebAcl")>("components/aws/WebAcl");
        for (const [name, patch] of acls) {
            new WebAcl(name, { loadBalancerArn: ALB_ARN, ...patch }, opts);
        }
    });
}

interface Rule {
    name: string;
    priority: number;
    action?: Record<string, unknown>;
    overrideAction?: Record<string, unknown>;
    statement: {
        managedRuleGroupStatement?: {
            name: string;
            vendorName: string;
            ruleActionOverrides?: { name: string; actionToUse: Record<string, unknown> }[];
        };
        rateBasedStatement?: Record<string, unknown>;
    };
    visibilityConfig: Record<string, unknown>;
}
const rules = (acl: RecordedResource) => acl.inputs.rules as Rule[];
const rule = (acl: RecordedResource, name: string) => {
    const found = rules(acl).find((r) => r.name === name);
    if (!found)
        throw new Error(
            `no rule ${name} in ${rules(acl)
                .map((r) => r.name)
                .join(", ")}`,
        );
    return found;
};

describe("WebAcl with its defaults", () => {
    let plan: PlanResult;
    let acl: RecordedResource;
    beforeAll(async () => {
        plan = await planWebAcls(["web"]);
        expect(plan.errors).toEqual([]);
        acl = one(plan, T.acl, "web");
    });

    it("is a regional web ACL that allows what no rule stops, named per project and stack", () => {
        expect(acl.inputs).toMatchObject({
            name: "multicloud-dev-web",
            scope: "REGIONAL",
            defaultAction: { allow: {} },
            visibilityConfig: {
                cloudwatchMetricsEnabled: true,
                sampledRequestsEnabled: true,
                metricName: "multicloud-dev-web",
            },
        });
        expect(rules(acl).map((r) => [r.name, r.priority])).toEqual([
            ["AWSManagedRulesCommonRuleSet", 10],
            ["rate-limit-per-ip", 20],
        ]);
    });

    it("runs the AWS managed common rule set with its own actions (override none)", () => {
        const common = rule(acl, "AWSManagedRulesCommonRuleSet");
        expect(common.overrideAction).toEqual({ none: {} });
        expect(common.action).toBeUndefined();
        expect(common.statement.managedRuleGroupStatement).toEqual({
            name: "AWSManagedRulesCommonRuleSet",
            vendorName: "AWS",
            ruleActionOverrides: [],
        });
        expect(common.visibilityConfig).toEqual({
            cloudwatchMetricsEnabled: true,
            sampledRequestsEnabled: true,
            metricName: "AWSManagedRulesCommonRuleSet",
        });
    });

    it("blocks a client IP over 2000 requests in a 5-minute window", () => {
        const rate = rule(acl, "rate-limit-per-ip");
        expect(rate.action).toEqual({ block: {} });
        expect(rate.overrideAction).toBeUndefined();
        expect(rate.statement.rateBasedStatement).toEqual({
            limit: 2000,
            aggregateKeyType: "IP",
            evaluationWindowSec: 300,
        });
        expect(rate.visibilityConfig).toEqual({
            cloudwatchMetricsEnabled: true,
            sampledRequestsEnabled: true,
            metricName: "rate-limit-per-ip",
        });
    });

    it("logs to a CloudWatch group named aws-waf-logs-..., kept 90 days", () => {
        const group = one(plan, T.logGroup, "web-logs");
        expect(group.inputs.namePrefix).toBe("aws-waf-logs-web-");
        expect(group.inputs.name).toBeUndefined();
        expect(group.inputs.retentionInDays).toBe(90);
    });

    // One default each, written once: a stack that sets nothing gets the same web ACL whether the
    // value comes from the config schema (app.rateLimit, aws.waf) or from the component.
    it("applies the defaults the stack config applies: app.rateLimit and aws.waf", () => {
        const { requestsPer5Minutes } = AppSchema.shape.rateLimit.parse(undefined);
        const waf = AwsSchema.shape.waf.parse(undefined);
        const rate = rule(acl, "rate-limit-per-ip");
        expect(rate.statement.rateBasedStatement).toMatchObject({ limit: requestsPer5Minutes });
        expect(rate.action).toEqual({ [waf.rateLimitAction]: {} });
        expect(
            rule(acl, "AWSManagedRulesCommonRuleSet").statement.managedRuleGroupStatement
                ?.ruleActionOverrides,
        ).toEqual(waf.commonRuleSetExcludedRules);
        expect(one(plan, T.logGroup, "web-logs").inputs.retentionInDays).toBe(waf.logRetentionDays);
    });

    it("points the logging configuration at the ACL and the log group, redacting credentials", () => {
        const logging = one(plan, T.logging, "web-logging");
        const group = one(plan, T.logGroup, "web-logs");
        expect(logging.inputs.resourceArn).toEqual(
            expect.stringMatching(
                /^arn:aws:wafv2:eu-west-1:123456789012:regional\/webacl\/multicloud-dev-web\/[0-9a-f]+$/,
            ),
        );
        // The log group's own ARN (the mock's form of it), with no `:*` suffix after the name.
        expect(logging.inputs.logDestinationConfigs).toEqual([
            expect.stringMatching(
                /^arn:aws:[a-z]+:eu-west-1:123456789012:\S*aws-waf-logs-web-[0-9a-f]+$/,
            ),
        ]);
        expect(logging.dependencies).toEqual(expect.arrayContaining([group.urn, acl.urn]));
        expect(logging.inputs.redactedFields).toEqual([
            { singleHeader: { name: "authorization" } },
            { singleHeader: { name: "cookie" } },
        ]);
    });

    it("ties the ACL to the given load balancer", () => {
        const association = one(plan, T.association, "web-alb");
        expect(association.inputs).toEqual({
            resourceArn: ALB_ARN,
            webAclArn: expect.stringMatching(
                /^arn:aws:wafv2:eu-west-1:123456789012:regional\/webacl\/multicloud-dev-web\/[0-9a-f]+$/,
            ),
        });
        expect(association.dependencies).toContain(acl.urn);
    });

    it("parents every child to the component, on the component's provider", () => {
        const component = one(plan, T.component, "web");
        const children = created(plan).filter((r) => r.parent === component.urn);
        expect(children.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
            [
                `${T.acl} web`,
                `${T.association} web-alb`,
                `${T.logGroup} web-logs`,
                `${T.logging} web-logging`,
            ].sort(),
        );
        const provider = one(plan, "pulumi:providers:aws", "aws");
        for (const child of children) expect(child.provider).toBe(provider.urn);
        // Nothing else was registered: no stray resource outside the component.
        expect(
            created(plan).filter((r) => r !== component && r.type !== "pulumi:providers:aws"),
        ).toHaveLength(children.length);
    });

    it("exports the names the dashboards read", () => {
        const component = one(plan, T.component, "web");
        expect(component.outputs).toEqual({
            webAclArn: expect.stringMatching(
                /^arn:aws:wafv2:eu-west-1:123456789012:regional\/webacl\/multicloud-dev-web\/[0-9a-f]+$/,
            ),
            webAclId: "web-id",
            webAclName: "multicloud-dev-web",
            rateRuleMetricName: "rate-limit-per-ip",
            commonRuleSetMetricName: "AWSManagedRulesCommonRuleSet",
            logGroupName: expect.stringMatching(/^aws-waf-logs-web-/),
        });
    });
});

describe("WebAcl variants", () => {
    it("counts instead of blocking, at the given limit, with excluded rules in count mode and tags", async () => {
        const plan = await planWebAcls([
            "api",
            {
                requestsPer5Minutes: 500,
                rateLimitAction: "count",
                commonRuleSetExcludedRules: ["SizeRestrictions_BODY", "NoUserAgent_HEADER"],
                logRetentionDays: 365,
                tags: { Environment: "dev" },
            },
        ]);
        expect(plan.errors).toEqual([]);
        const acl = one(plan, T.acl, "api");
        const rate = rule(acl, "rate-limit-per-ip");
        expect(rate.action).toEqual({ count: {} });
        expect(rate.statement.rateBasedStatement).toEqual({
            limit: 500,
            aggregateKeyType: "IP",
            evaluationWindowSec: 300,
        });
        const common = rule(acl, "AWSManagedRulesCommonRuleSet");
        expect(common.overrideAction).toEqual({ none: {} });
        expect(common.statement.managedRuleGroupStatement?.ruleActionOverrides).toEqual([
            { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
            { name: "NoUserAgent_HEADER", actionToUse: { count: {} } },
        ]);
        const group = one(plan, T.logGroup, "api-logs");
        expect(group.inputs.retentionInDays).toBe(365);
        expect(group.inputs.tags).toEqual({ Environment: "dev" });
        expect(acl.inputs.tags).toEqual({ Environment: "dev" });
    });

    it("lets two ACLs share a stack without a name collision", async () => {
        const plan = await planWebAcls(["blue"], ["green"]);
        expect(plan.errors).toEqual([]);
        const children = created(plan).filter((r) => byUrn(plan, r.parent)?.type === T.component);
        const names = children.map((r) => `${r.type}::${r.name}`);
        expect(new Set(names).size).toBe(names.length);
        expect(ofType(plan, T.acl).map((r) => r.inputs.name)).toEqual([
            "multicloud-dev-blue",
            "multicloud-dev-green",
        ]);
        expect(ofType(plan, T.logGroup).map((r) => r.inputs.namePrefix)).toEqual([
            "aws-waf-logs-blue-",
            "aws-waf-logs-green-",
        ]);
    });

    it("registers nothing when its arguments are invalid, listing every problem", async () => {
        const plan = await planWebAcls(["bad", { requestsPer5Minutes: 5, logRetentionDays: 45 }]);
        // Only the program's own provider: not the component, not a single child.
        expect(created(plan).map((r) => r.type)).toEqual(["pulumi:providers:aws"]);
        expect(plan.errors[0]).toContain(
            "WebAcl 'bad' has invalid arguments:\n" +
                "  - requestsPer5Minutes (5) is below WAF's minimum of 10 requests per 5 minutes: raise it to at least 10\n" +
                "  - logRetentionDays (45) is not a retention CloudWatch Logs offers: use one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (0 keeps logs forever)",
        );
    });
});

describe("validateWebAclArgs", () => {
    const problems = (patch: Partial<WebAclArgs>, name = "web") =>
        validateWebAclArgs(name, { loadBalancerArn: ALB_ARN, ...patch });

    it("accepts the minimal arguments, and limits at both bounds", () => {
        expect(problems({})).toEqual([]);
        expect(problems({ requestsPer5Minutes: WAF_RATE_LIMIT_MIN })).toEqual([]);
        expect(problems({ requestsPer5Minutes: WAF_RATE_LIMIT_MAX })).toEqual([]);
        for (const days of LOG_RETENTION_DAYS)
            expect(problems({ logRetentionDays: days })).toEqual([]);
    });

    it("states WAF's bounds of a rate limit", () => {
        expect([WAF_RATE_LIMIT_MIN, WAF_RATE_LIMIT_MAX]).toEqual([10, 2000000000]);
    });

    it.each<[string, Partial<WebAclArgs>, string]>([
        [
            "a limit below the minimum",
            { requestsPer5Minutes: 9 },
            "requestsPer5Minutes (9) is below WAF's minimum of 10 requests per 5 minutes: raise it to at least 10",
        ],
        [
            "a limit of 0",
            { requestsPer5Minutes: 0 },
            "requestsPer5Minutes (0) is below WAF's minimum of 10 requests per 5 minutes: raise it to at least 10",
        ],
        [
            "a limit above the maximum",
            { requestsPer5Minutes: 2000000001 },
            "requestsPer5Minutes (2000000001) is above WAF's maximum of 2000000000 requests per 5 minutes: lower it to at most 2000000000",
        ],
        [
            "a fractional limit",
            { requestsPer5Minutes: 1500.5 },
            "requestsPer5Minutes (1500.5) must be a whole number of requests: WAF counts requests, give e.g. 2000",
        ],
        [
            "a retention CloudWatch Logs does not offer",
            { logRetentionDays: 45 },
            "logRetentionDays (45) is not a retention CloudWatch Logs offers: use one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (0 keeps logs forever)",
        ],
        [
            "an excluded rule name with a space",
            { commonRuleSetExcludedRules: ["SizeRestrictions BODY"] },
            "commonRuleSetExcludedRules: 'SizeRestrictions BODY' is not a rule name (1-128 letters, digits, hyphens and underscores, e.g. SizeRestrictions_BODY)",
        ],
        [
            // As the stack config refuses it (aws.waf.commonRuleSetExcludedRules): WAF's names
            // are at most 128 characters.
            "an excluded rule name longer than WAF's 128 characters",
            { commonRuleSetExcludedRules: ["R".repeat(129)] },
            `commonRuleSetExcludedRules: '${"R".repeat(129)}' is not a rule name (1-128 letters, digits, hyphens and underscores, e.g. SizeRestrictions_BODY)`,
        ],
        [
            "an excluded rule listed twice",
            { commonRuleSetExcludedRules: ["NoUserAgent_HEADER", "NoUserAgent_HEADER"] },
            "commonRuleSetExcludedRules lists 'NoUserAgent_HEADER' more than once: list it once",
        ],
        [
            "a rate action WAF does not take",
            { rateLimitAction: "captcha" as WebAclArgs["rateLimitAction"] },
            `rateLimitAction 'captcha' must be "block" or "count"`,
        ],
        [
            "a network load balancer",
            {
                loadBalancerArn:
                    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/app-nlb/0123456789abcdef",
            },
            "loadBalancerArn 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/app-nlb/0123456789abcdef' is not an Application Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>): WAF protects ALBs only",
        ],
    ])("names %s", (_what, patch, message) => {
        expect(problems(patch)).toEqual([message]);
    });

    it("refuses a name WAF cannot use", () => {
        expect(problems({}, "web.acl")).toEqual([
            "name 'web.acl' must be 1-128 letters, digits, hyphens or underscores: it names the web ACL, its metrics and its log group, and WAF accepts nothing else in those names",
        ]);
    });

    it("lists several problems at once, in argument order", () => {
        expect(
            problems({
                requestsPer5Minutes: 2.5,
                logRetentionDays: 10,
                commonRuleSetExcludedRules: ["ok_rule", "bad/rule"],
            }),
        ).toEqual([
            "requestsPer5Minutes (2.5) must be a whole number of requests: WAF counts requests, give e.g. 2000",
            "requestsPer5Minutes (2.5) is below WAF's minimum of 10 requests per 5 minutes: raise it to at least 10",
            "commonRuleSetExcludedRules: 'bad/rule' is not a rule name (1-128 letters, digits, hyphens and underscores, e.g. SizeRestrictions_BODY)",
            "logRetentionDays (10) is not a retention CloudWatch Logs offers: use one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (0 keeps logs forever)",
        ]);
    });

    it("does not judge an ARN that is not known yet", () => {
        // An Output (the AsgFleet's albArn) is checked by AWS at deploy time, not here.
        const pending = { apply: () => undefined } as unknown as WebAclArgs["loadBalancerArn"];
        expect(problems({ loadBalancerArn: pending })).toEqual([]);
    });
});

describe("webAclNameFor", () => {
    it("joins project, stack and name, with hyphens for characters WAF refuses", () => {
        expect(webAclNameFor("multicloud", "prod", "web")).toBe("multicloud-prod-web");
        expect(webAclNameFor("multicloud", "team.eu-1", "web")).toBe("multicloud-team-eu-1-web");
    });

    it("stays within WAF's 128 characters, distinct for names that differ only at the end", () => {
        const long = "s".repeat(120);
        const a = webAclNameFor("multicloud", long, "blue");
        const b = webAclNameFor("multicloud", long, "green");
        expect(a).toHaveLength(128);
        expect(b).toHaveLength(128);
        expect(a).not.toBe(b);
        expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    });
});
