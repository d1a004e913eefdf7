/** Rate-limit policies, each with a compliant fixture and one failing variant per rule. */
import { UNKNOWN_STRING } from "../../plan/analyzer";
import { resource, stackMessages, usePack } from "./harness";

const pack = usePack();

describe("aws-wafv2-web-acl-rate-limit", () => {
    const policy = "aws-wafv2-web-acl-rate-limit";
    const ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/app/0000";
    const GROUP_ARN = "arn:aws:wafv2:us-east-1:123456789012:regional/rulegroup/limits/1111";
    const visibility = {
        cloudwatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName: "m",
    };
    const common = {
        name: "AWSManagedRulesCommonRuleSet",
        priority: 10,
        overrideAction: { none: {} },
        statement: {
            managedRuleGroupStatement: { name: "AWSManagedRulesCommonRuleSet", vendorName: "AWS" },
        },
        visibilityConfig: visibility,
    };
    const rate = (action: Record<string, unknown>, aggregateKeyType = "IP") => ({
        name: "rate-limit-per-ip",
        priority: 20,
        action,
        statement: {
            rateBasedStatement: { limit: 2000, evaluationWindowSec: 300, aggregateKeyType },
        },
        visibilityConfig: visibility,
    });
    const acl = (props: Record<string, unknown>, scope = "REGIONAL") =>
        resource("aws:wafv2/webAcl:WebAcl", "app", {
            name: "multicloud-dev-app",
            scope,
            arn: ACL_ARN,
            defaultAction: { allow: {} },
            visibilityConfig: visibility,
            ...props,
        });
    const none = `Web ACL 'app' has no rate-based rule, so no client is ever limited however many requests it sends: add a rule whose statement is a rateBasedStatement (aggregateKeyType "IP" and a limit per evaluation window) with action { block: {} } to its rules (in this blueprint the WebAcl component adds one, limited by multicloud:app.rateLimit.requestsPer5Minutes, when multicloud:aws.waf.enabled is true).`;
    const countFix = `To fix it, a rate rule in count mode limits nothing: once the limit is measured, set its action to { block: {} } (in this blueprint, set multicloud:aws.waf.rateLimitAction to block) and remove any override to count.`;
    const group = (rules: unknown[]) =>
        resource("aws:wafv2/ruleGroup:RuleGroup", "limits", {
            arn: GROUP_ARN,
            scope: "REGIONAL",
            capacity: 50,
            rules,
        });

    it("passes the web ACL the WebAcl component creates (managed rules, then a blocking per-IP rate rule), in both scopes", async () => {
        for (const scope of ["REGIONAL", "CLOUDFRONT"]) {
            expect(
                await stackMessages(pack(), policy, [
                    acl({ rules: [common, rate({ block: {} })] }, scope),
                ]),
            ).toEqual([]);
        }
    });

    it("passes a blocking rate rule given as ruleJson, as a WebAclRule, or in a referenced rule group of the stack", async () => {
        const json = JSON.stringify([
            {
                Name: "rate",
                Priority: 1,
                Action: { Block: {} },
                Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: "IP" } },
                VisibilityConfig: {},
            },
        ]);
        expect(await stackMessages(pack(), policy, [acl({ ruleJson: json })])).toEqual([]);
        const rule = resource("aws:wafv2/webAclRule:WebAclRule", "rate", {
            webAclArn: UNKNOWN_STRING,
            ...rate({ block: {} }),
        });
        const aclNoRules = acl({ rules: [common], arn: UNKNOWN_STRING });
        expect(
            await stackMessages(pack(), policy, [
                aclNoRules,
                { ...rule, propertyDependencies: { webAclArn: [aclNoRules.urn] } },
            ]),
        ).toEqual([]);
        const reference = {
            name: "limits",
            priority: 5,
            overrideAction: { none: {} },
            statement: { ruleGroupReferenceStatement: { arn: GROUP_ARN } },
            visibilityConfig: visibility,
        };
        expect(
            await stackMessages(pack(), policy, [
                acl({ rules: [reference] }),
                group([rate({ block: {} })]),
            ]),
        ).toEqual([]);
        const association = resource(
            "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation",
            "limits",
            {
                webAclArn: ACL_ARN,
                ruleName: "limits",
                priority: 5,
                ruleGroupReference: { arn: GROUP_ARN },
            },
        );
        expect(
            await stackMessages(pack(), policy, [
                acl({ rules: [common] }),
                group([rate({ block: {} })]),
                association,
            ]),
        ).toEqual([]);
    });

    it("never flags rules not known yet", async () => {
        expect(await stackMessages(pack(), policy, [acl({ rules: UNKNOWN_STRING })])).toEqual([]);
        expect(
            await stackMessages(pack(), policy, [
                acl({ rules: [common, { ...rate({ block: {} }), action: UNKNOWN_STRING }] }),
            ]),
        ).toEqual([]);
    });

    it("flags a web ACL without a rate-based rule, on the ACL's URN", async () => {
        const diagnostics = (await pack().analyzeStack([acl({ rules: [common] })])).filter(
            (d) => d.policyName === policy,
        );
        expect(diagnostics.map((d) => d.urn)).toEqual([acl({}).urn]);
        expect(await stackMessages(pack(), policy, [acl({ rules: [common] })])).toEqual([
            `${none} Rules of the managed rule group of rule 'AWSManagedRulesCommonRuleSet' are not counted: rule groups outside this stack and AWS managed rule groups cannot be seen by this policy.`,
        ]);
        expect(await stackMessages(pack(), policy, [acl({})])).toEqual([none]);
    });

    it("flags a rate rule in count mode, naming multicloud:aws.waf.rateLimitAction", async () => {
        expect(
            await stackMessages(pack(), policy, [acl({ rules: [rate({ count: {} })] })]),
        ).toEqual([
            `Web ACL 'app' has no rate-based rule that blocks a client over the limit: rate-based rule 'rate-limit-per-ip' only counts (count mode). ${countFix}`,
        ]);
    });

    it("flags a rate rule that counts every client together (CONSTANT)", async () => {
        expect(
            await stackMessages(pack(), policy, [
                acl({ rules: [rate({ block: {} }, "CONSTANT")] }),
            ]),
        ).toEqual([
            `Web ACL 'app' has no rate-based rule that blocks a client over the limit: rate-based rule 'rate-limit-per-ip' counts every client together (aggregateKeyType CONSTANT). To fix it, give the rate rule action { block: {} } and aggregateKeyType "IP" (or FORWARDED_IP or CUSTOM_KEYS keyed on the client), so each client over the limit is blocked.`,
        ]);
    });

    it("flags a rule group's rate rule overridden to count, and rule groups outside the stack", async () => {
        const reference = {
            name: "limits",
            priority: 5,
            overrideAction: { count: {} },
            statement: { ruleGroupReferenceStatement: { arn: GROUP_ARN } },
            visibilityConfig: visibility,
        };
        expect(
            await stackMessages(pack(), policy, [
                acl({ rules: [reference] }),
                group([rate({ block: {} })]),
            ]),
        ).toEqual([
            `Web ACL 'app' has no rate-based rule that blocks a client over the limit: rate-based rule 'rate-limit-per-ip' of rule group 'limits' is overridden to count by the web ACL. ${countFix}`,
        ]);
        expect(await stackMessages(pack(), policy, [acl({ rules: [reference] })])).toEqual([
            `${none} Rules of the rule group of rule 'limits' are not counted: rule groups outside this stack and AWS managed rule groups cannot be seen by this policy.`,
        ]);
    });
});

describe("aws-wafv2-web-acl-rate-limit never echoes a value", () => {
    it("names rules and resources, never ARNs or limits", async () => {
        const secretArn = "arn:aws:wafv2:us-east-1:999988887777:regional/rulegroup/s3cr3t/abcd";
        const found = await stackMessages(pack(), "aws-wafv2-web-acl-rate-limit", [
            resource("aws:wafv2/webAcl:WebAcl", "app", {
                scope: "REGIONAL",
                arn: "arn:aws:wafv2:us-east-1:999988887777:regional/webacl/app/0000",
                rules: [
                    {
                        name: "limits",
                        priority: 1,
                        overrideAction: { none: {} },
                        statement: { ruleGroupReferenceStatement: { arn: secretArn } },
                    },
                    {
                        name: "rate",
                        priority: 2,
                        action: { count: {} },
                        statement: { rateBasedStatement: { limit: 4321, aggregateKeyType: "IP" } },
                    },
                ],
            }),
        ]);
        expect(found).toHaveLength(1);
        for (const value of ["999988887777", "s3cr3t", "4321"]) {
            expect(found[0]).not.toContain(value);
        }
    });
});

describe("kubernetes-ingress-rate-limit", () => {
    const policy = "kubernetes-ingress-rate-limit";
    const NGINX_LIMITS = {
        "nginx.ingress.kubernetes.io/limit-rpm": "400",
        "nginx.ingress.kubernetes.io/limit-burst-multiplier": "5",
    };
    const ingress = (
        annotations: Record<string, unknown> | string,
        spec: Record<string, unknown> = { ingressClassName: "nginx" },
        type = "kubernetes:networking.k8s.io/v1:Ingress",
    ) =>
        resource(type, "app", {
            metadata: { name: "app", namespace: "app", annotations },
            spec: {
                ...spec,
                tls: [{ hosts: ["app.example.com"], secretName: "app-tls" }],
                rules: [{ host: "app.example.com" }],
            },
        });
    const ingressClass = (name: string, controller: string, extra: Record<string, unknown> = {}) =>
        resource("kubernetes:networking.k8s.io/v1:IngressClass", name, {
            metadata: { name, ...extra },
            spec: { controller },
        });
    const nginxFix = `set the annotation nginx.ingress.kubernetes.io/limit-rpm to the requests per minute one client IP may send (a whole number above 0; limit-rps and limit-connections also count, and "0" turns a limit off), with nginx.ingress.kubernetes.io/limit-burst-multiplier for bursts (in this blueprint the Workload sets both from multicloud:app.rateLimit.requestsPer5Minutes)`;
    const noNginxLimit = (served: string) =>
        `Ingress 'app' (${served}) has no per-client rate limit, so one client can send as many requests as it likes: ${nginxFix}.`;

    it("passes the Workload's ingress (class nginx, limit-rpm and limit-burst-multiplier), in every API version", async () => {
        for (const type of [
            "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:networking.k8s.io/v1beta1:Ingress",
            "kubernetes:extensions/v1beta1:Ingress",
        ]) {
            expect(
                await stackMessages(pack(), policy, [
                    ingress(
                        { "nginx.ingress.kubernetes.io/ssl-redirect": "true", ...NGINX_LIMITS },
                        undefined,
                        type,
                    ),
                ]),
            ).toEqual([]);
        }
        for (const key of ["limit-rps", "limit-connections"]) {
            expect(
                await stackMessages(pack(), policy, [
                    ingress({ [`nginx.ingress.kubernetes.io/${key}`]: "10" }),
                ]),
            ).toEqual([]);
        }
        // Annotations not known yet: checked once known.
        expect(await stackMessages(pack(), policy, [ingress(UNKNOWN_STRING)])).toEqual([]);
        expect(
            await stackMessages(pack(), policy, [
                ingress({ "nginx.ingress.kubernetes.io/limit-rpm": UNKNOWN_STRING }),
            ]),
        ).toEqual([]);
    });

    it("flags an ingress-nginx Ingress without a limit, or with limits that are off", async () => {
        expect(await stackMessages(pack(), policy, [ingress({})])).toEqual([
            noNginxLimit("class 'nginx', ingress-nginx"),
        ]);
        expect(
            await stackMessages(pack(), policy, [
                ingress({
                    "nginx.ingress.kubernetes.io/limit-rpm": "0",
                    "nginx.ingress.kubernetes.io/limit-rps": "ten",
                    "nginx.ingress.kubernetes.io/limit-rate": "100",
                }),
            ]),
        ).toEqual([noNginxLimit("class 'nginx', ingress-nginx")]);
        // The class from the older annotation, and from an IngressClass of the stack.
        expect(
            await stackMessages(pack(), policy, [
                ingress({ "kubernetes.io/ingress.class": "nginx" }, {}),
            ]),
        ).toEqual([noNginxLimit("class 'nginx', ingress-nginx")]);
        expect(
            await stackMessages(pack(), policy, [
                ingress({}, { ingressClassName: "public" }),
                ingressClass("public", "k8s.io/ingress-nginx"),
            ]),
        ).toEqual([noNginxLimit("class 'public', ingress-nginx")]);
        // No class: the stack's default IngressClass.
        expect(
            await stackMessages(pack(), policy, [
                ingress({}, {}),
                ingressClass("public", "k8s.io/ingress-nginx", {
                    annotations: { "ingressclass.kubernetes.io/is-default-class": "true" },
                }),
            ]),
        ).toEqual([noNginxLimit("class 'public', ingress-nginx")]);
    });

    it("flags an allowlist that exempts every client", async () => {
        expect(
            await stackMessages(pack(), policy, [
                ingress({
                    ...NGINX_LIMITS,
                    "nginx.ingress.kubernetes.io/limit-allowlist": "10.0.0.0/8, 0.0.0.0/0",
                }),
            ]),
        ).toEqual([
            `Ingress 'app' (class 'nginx', ingress-nginx) exempts every client from its rate limit: its nginx.ingress.kubernetes.io/limit-allowlist annotation covers every address (a /0 CIDR); list only the CIDRs of trusted clients there, or remove the annotation.`,
        ]);
    });

    it("AWS Load Balancer Controller: passes internal load balancers and internet-facing ones with a web ACL, flags the rest", async () => {
        const alb = { ingressClassName: "alb" };
        expect(await stackMessages(pack(), policy, [ingress({}, alb)])).toEqual([]);
        const facing = { "alb.ingress.kubernetes.io/scheme": "internet-facing" };
        expect(
            await stackMessages(pack(), policy, [
                ingress(
                    {
                        ...facing,
                        "alb.ingress.kubernetes.io/wafv2-acl-arn":
                            "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/app/0000",
                    },
                    alb,
                ),
            ]),
        ).toEqual([]);
        const flagged = `Ingress 'app' (class 'alb', AWS Load Balancer Controller) is internet-facing and its load balancer has no WAFv2 web ACL, so nothing limits a client's requests: set alb.ingress.kubernetes.io/wafv2-acl-arn to the ARN of a regional web ACL with a rate-based rule that blocks (or wafv2AclArn in the class's IngressClassParams), or set alb.ingress.kubernetes.io/scheme to internal if it need not be reachable from the internet.`;
        expect(await stackMessages(pack(), policy, [ingress(facing, alb)])).toEqual([flagged]);
        expect(
            await stackMessages(pack(), policy, [
                ingress({ ...facing, "alb.ingress.kubernetes.io/wafv2-acl-arn": "none" }, alb),
            ]),
        ).toEqual([flagged]);
        // IngressClassParams of the stack: its scheme and web ACL apply to the whole class.
        const params = (spec: Record<string, unknown>) =>
            resource("kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams", "alb-public", {
                metadata: { name: "alb-public" },
                spec,
            });
        const cls = resource("kubernetes:networking.k8s.io/v1:IngressClass", "alb", {
            metadata: { name: "alb" },
            spec: {
                controller: "ingress.k8s.aws/alb",
                parameters: {
                    apiGroup: "elbv2.k8s.aws",
                    kind: "IngressClassParams",
                    name: "alb-public",
                },
            },
        });
        expect(
            await stackMessages(pack(), policy, [
                ingress({}, alb),
                cls,
                params({ scheme: "internet-facing" }),
            ]),
        ).toEqual([flagged]);
        expect(
            await stackMessages(pack(), policy, [
                ingress({}, alb),
                cls,
                params({ scheme: "internet-facing", wafv2AclName: "app" }),
            ]),
        ).toEqual([]);
    });

    it("Traefik: passes a rateLimit Middleware of the stack, flags other middlewares", async () => {
        const middleware = (spec: Record<string, unknown>) =>
            resource("kubernetes:traefik.io/v1alpha1:Middleware", "limit", {
                metadata: { name: "limit", namespace: "app" },
                spec,
            });
        const traefik = (refs: string) =>
            ingress(
                { "traefik.ingress.kubernetes.io/router.middlewares": refs },
                { ingressClassName: "traefik" },
            );
        expect(
            await stackMessages(pack(), policy, [
                traefik("app-headers@kubernetescrd, app-limit@kubernetescrd"),
                middleware({ rateLimit: { average: 100, burst: 200 } }),
            ]),
        ).toEqual([]);
        const flagged = `Ingress 'app' (class 'traefik', Traefik) has no per-client rate limit: add to traefik.ingress.kubernetes.io/router.middlewares a Traefik Middleware of this stack with spec.rateLimit.average above 0, referenced as <namespace>-<name>@kubernetescrd (a middleware defined outside the stack cannot be seen: list the class in this policy's exemptIngressClasses if the limit lives there).`;
        expect(
            await stackMessages(pack(), policy, [
                traefik("app-limit@kubernetescrd"),
                middleware({ rateLimit: { average: 0 } }),
            ]),
        ).toEqual([flagged]);
        expect(await stackMessages(pack(), policy, [traefik("app-limit@kubernetescrd")])).toEqual([
            flagged,
        ]);
    });

    it("flags GKE Ingresses, exempts gce-internal, and flags an Ingress whose controller is unknown and carries no limit", async () => {
        expect(
            await stackMessages(pack(), policy, [
                ingress({ "kubernetes.io/ingress.class": "gce" }, {}),
            ]),
        ).toEqual([
            `Ingress 'app' (class 'gce', GKE Ingress) relies on GKE's load balancer, whose per-client limit lives in a Cloud Armor security policy (a BackendConfig's securityPolicy referenced from the Service) that cannot be seen from the Ingress: serve it through an in-cluster controller that carries the limit (in this blueprint, ingress-nginx, class nginx, with the limit from multicloud:app.rateLimit.requestsPer5Minutes), or, once a Cloud Armor policy with a rate-based rule protects it, list the class in this policy's exemptIngressClasses.`,
        ]);
        expect(
            await stackMessages(pack(), policy, [
                ingress({ "kubernetes.io/ingress.class": "gce-internal" }, {}),
            ]),
        ).toEqual([]);
        // Unknown controller: any recognised limit passes.
        expect(
            await stackMessages(pack(), policy, [
                ingress(NGINX_LIMITS, { ingressClassName: "edge" }),
            ]),
        ).toEqual([]);
        expect(await stackMessages(pack(), policy, [ingress({}, {})])).toEqual([
            `Ingress 'app' (no ingress class) has no per-client rate limit this policy recognises, so it counts as exposed without one: for ingress-nginx, ${nginxFix}; for the AWS Load Balancer Controller, attach a web ACL with alb.ingress.kubernetes.io/wafv2-acl-arn; for Traefik, reference a rateLimit Middleware in traefik.ingress.kubernetes.io/router.middlewares. If the class is internal or limits clients elsewhere, list it in this policy's exemptIngressClasses.`,
        ]);
    });

    it("flags an IngressPatch that turns a limit off, and passes one that leaves limits alone", async () => {
        const patch = (annotations: Record<string, unknown>) =>
            ingress(annotations, {}, "kubernetes:networking.k8s.io/v1:IngressPatch");
        expect(
            await stackMessages(pack(), policy, [patch({ "example.com/owner": "team" })]),
        ).toEqual([]);
        expect(
            await stackMessages(pack(), policy, [
                patch({
                    "nginx.ingress.kubernetes.io/limit-rpm": "0",
                    "nginx.ingress.kubernetes.io/limit-whitelist": "::/0",
                }),
            ]),
        ).toEqual([
            `Ingress 'app' (a patch) sets nginx.ingress.kubernetes.io/limit-rpm to "0", which turns that limit off; sets nginx.ingress.kubernetes.io/limit-whitelist to a CIDR list covering every address (/0), so no client is limited: give nginx.ingress.kubernetes.io/limit-rpm a whole number above 0 (in this blueprint, the limit is multicloud:app.rateLimit.requestsPer5Minutes), list only trusted CIDRs in the allowlist, and keep a web ACL with a blocking rate-based rule.`,
        ]);
    });

    describe("with exemptIngressClasses", () => {
        const configured = usePack({
            "kubernetes-ingress-rate-limit": {
                enforcementLevel: "mandatory",
                exemptIngressClasses: ["internal-nginx"],
            },
        });
        it("skips Ingresses of the listed classes only", async () => {
            expect(
                await stackMessages(configured(), policy, [
                    ingress({}, { ingressClassName: "internal-nginx" }),
                ]),
            ).toEqual([]);
            expect(await stackMessages(configured(), policy, [ingress({})])).toEqual([
                noNginxLimit("class 'nginx', ingress-nginx"),
            ]);
        });
    });

    it("never echoes an annotation value it does not need", async () => {
        const found = await stackMessages(pack(), policy, [
            ingress({ "nginx.ingress.kubernetes.io/limit-rpm": "s3cr3t-token-value" }),
            ingress(
                { "nginx.ingress.kubernetes.io/limit-rps": "hunter2-secret" },
                {},
                "kubernetes:networking.k8s.io/v1:IngressPatch",
            ),
        ]);
        expect(found).toHaveLength(2);
        for (const message of found) {
            expect(message).not.toContain("s3cr3t");
            expect(message).not.toContain("hunter2");
        }
    });
});
