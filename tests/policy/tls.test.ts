/** TLS policies, each with a compliant fixture and one failing variant per rule. */
import { UNKNOWN_STRING } from "../../plan/analyzer";
import { messages, resource, usePack } from "./harness";

const pack = usePack();

describe("aws-lb-listener-tls13", () => {
    const listener = (props: Record<string, unknown>) =>
        resource("aws:lb/listener:Listener", "app-https", {
            protocol: "HTTPS",
            port: 443,
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            ...props,
        });

    it("passes an HTTPS listener with a TLS 1.3 policy, and leaves HTTP listeners to the redirect rule", async () => {
        expect(await messages(pack(), "aws-lb-listener-tls13", listener({}))).toEqual([]);
        expect(
            await messages(
                pack(),
                "aws-lb-listener-tls13",
                listener({ protocol: "HTTP", port: 80, sslPolicy: undefined }),
            ),
        ).toEqual([]);
    });

    it("flags a policy without TLS 1.3", async () => {
        expect(
            await messages(
                pack(),
                "aws-lb-listener-tls13",
                listener({ sslPolicy: "ELBSecurityPolicy-2016-08" }),
            ),
        ).toEqual([
            "HTTPS listener 'app-https' uses security policy 'ELBSecurityPolicy-2016-08', which is not a TLS 1.3 policy: set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2) or ELBSecurityPolicy-TLS13-1-3-2021-06 (TLS 1.3 only).",
        ]);
    });

    it("flags a TLS listener left on the default policy", async () => {
        expect(
            await messages(
                pack(),
                "aws-lb-listener-tls13",
                listener({ protocol: "TLS", sslPolicy: undefined }),
            ),
        ).toEqual([
            "TLS listener 'app-https' uses the default security policy, which is not a TLS 1.3 policy: set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2) or ELBSecurityPolicy-TLS13-1-3-2021-06 (TLS 1.3 only).",
        ]);
    });
});

describe("aws-lb-listener-tls13 policy names", () => {
    const listener = (sslPolicy: string) =>
        resource("aws:lb/listener:Listener", "app-https", {
            protocol: "HTTPS",
            port: 443,
            sslPolicy,
        });

    it("passes every TLS 1.3 policy with a TLS 1.2 or 1.3 minimum, and a policy computed from another resource", async () => {
        for (const name of [
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            UNKNOWN_STRING,
        ]) {
            expect(await messages(pack(), "aws-lb-listener-tls13", listener(name))).toEqual([]);
        }
    });

    it("flags the TLS 1.3 policies that still accept TLS 1.0 or 1.1", async () => {
        for (const name of [
            "ELBSecurityPolicy-TLS13-1-0-2021-06",
            "ELBSecurityPolicy-TLS13-1-1-2021-06",
            "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
        ]) {
            expect(await messages(pack(), "aws-lb-listener-tls13", listener(name))).toEqual([
                `HTTPS listener 'app-https' uses security policy '${name}', which is not a TLS 1.3 policy with a TLS 1.2 minimum (it still accepts TLS 1.0 or 1.1 clients): set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2) or ELBSecurityPolicy-TLS13-1-3-2021-06 (TLS 1.3 only).`,
            ]);
        }
    });
});

describe("aws-lb-listener-https-redirect", () => {
    const POLICY = "aws-lb-listener-https-redirect";
    /** The HTTP listener AsgFleet builds. */
    const listener = (props: Record<string, unknown>, type = "aws:lb/listener:Listener") =>
        resource(type, "app-http", {
            port: 80,
            protocol: "HTTP",
            defaultActions: [
                {
                    type: "redirect",
                    redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
                },
            ],
            ...props,
        });

    it("passes an HTTP listener that redirects to HTTPS, and ignores HTTPS listeners", async () => {
        expect(await messages(pack(), POLICY, listener({}))).toEqual([]);
        expect(await messages(pack(), POLICY, listener({}, "aws:alb/listener:Listener"))).toEqual(
            [],
        );
        expect(
            await messages(
                pack(),
                POLICY,
                listener({
                    protocol: "HTTPS",
                    port: 443,
                    defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
                }),
            ),
        ).toEqual([]);
    });

    it("flags an HTTP listener that forwards", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                listener(
                    { defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] },
                    "aws:alb/listener:Listener",
                ),
            ),
        ).toEqual([
            `HTTP listener 'app-http' has default actions [forward] instead of a redirect to HTTPS, so it serves traffic unencrypted: set defaultActions to [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }], or remove the HTTP listener.`,
        ]);
    });

    it("flags a redirect that stays on HTTP", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                listener({
                    defaultActions: [
                        { type: "redirect", redirect: { protocol: "HTTP", port: "8080" } },
                    ],
                }),
            ),
        ).toEqual([
            `HTTP listener 'app-http' has default actions [redirect] instead of a redirect to HTTPS, so it serves traffic unencrypted: set defaultActions to [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }], or remove the HTTP listener.`,
        ]);
    });

    it("flags an HTTP listener without default actions", async () => {
        expect(await messages(pack(), POLICY, listener({ defaultActions: [] }))).toEqual([
            `HTTP listener 'app-http' has no default action instead of a redirect to HTTPS, so it serves traffic unencrypted: set defaultActions to [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }], or remove the HTTP listener.`,
        ]);
    });
});

describe("aws-lb-listener-https-redirect: fixed responses and listeners without a protocol", () => {
    const POLICY = "aws-lb-listener-https-redirect";
    const ALB =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef";
    const NLB =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/tcp/0123456789abcdef";
    const forward = [{ type: "forward", targetGroupArn: "arn:tg" }];
    const fixed = (statusCode: string) => [
        { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode } },
    ];
    const listener = (props: Record<string, unknown>) =>
        resource("aws:lb/listener:Listener", "web", { port: 80, ...props });
    const redirectFix = `set defaultActions to [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }], or remove the HTTP listener`;

    it("passes an HTTP listener that answers with a fixed error response", async () => {
        for (const status of ["404", "403", "503"]) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    listener({ protocol: "HTTP", defaultActions: fixed(status) }),
                ),
            ).toEqual([]);
        }
    });

    it("flags an HTTP listener whose fixed response is a 2xx page", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                listener({ protocol: "HTTP", defaultActions: fixed("200") }),
            ),
        ).toEqual([
            `HTTP listener 'web' has default actions [fixed-response] instead of a redirect to HTTPS, so it serves traffic unencrypted: ${redirectFix}.`,
        ]);
    });

    it("passes listeners without a protocol on a Network Load Balancer, without a port (Gateway Load Balancer), or with a protocol or action computed from other resources", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                listener({ loadBalancerArn: NLB, defaultActions: forward }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                resource("aws:lb/listener:Listener", "gwlb", {
                    loadBalancerArn: UNKNOWN_STRING,
                    defaultActions: forward,
                }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                listener({ protocol: UNKNOWN_STRING, defaultActions: forward }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                listener({
                    protocol: "HTTP",
                    defaultActions: [{ type: "redirect", redirect: { protocol: UNKNOWN_STRING } }],
                }),
            ),
        ).toEqual([]);
    });

    it("flags a listener without a protocol on an Application Load Balancer (HTTP by default)", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                listener({ loadBalancerArn: ALB, defaultActions: forward }),
            ),
        ).toEqual([
            `Listener 'web' (no protocol, which is HTTP on an Application Load Balancer) has default actions [forward] instead of a redirect to HTTPS, so it serves traffic unencrypted: ${redirectFix}.`,
        ]);
    });

    it("flags a listener without a protocol on a load balancer not known yet, saying what to set on an NLB", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                listener({ loadBalancerArn: UNKNOWN_STRING, defaultActions: forward }),
            ),
        ).toEqual([
            `Listener 'web' (no protocol, which is HTTP on an Application Load Balancer) has default actions [forward] instead of a redirect to HTTPS, so it serves traffic unencrypted: ${redirectFix}; if the listener belongs to a Network Load Balancer, set its protocol ("TCP" or "TLS") explicitly.`,
        ]);
        // A fixed response only exists on an ALB: no doubt about the protocol.
        expect(
            await messages(
                pack(),
                POLICY,
                listener({ loadBalancerArn: UNKNOWN_STRING, defaultActions: fixed("200") }),
            ),
        ).toEqual([
            `Listener 'web' (no protocol, which is HTTP on an Application Load Balancer) has default actions [fixed-response] instead of a redirect to HTTPS, so it serves traffic unencrypted: ${redirectFix}.`,
        ]);
    });
});

describe("gcp-ssl-policy-modern", () => {
    const POLICY = "gcp-ssl-policy-modern";
    const sslPolicy = (props: Record<string, unknown>, type = "gcp:compute/sSLPolicy:SSLPolicy") =>
        resource(type, "lb-tls", { minTlsVersion: "TLS_1_2", profile: "MODERN", ...props });

    it("passes TLS 1.2 with MODERN, TLS 1.3 with RESTRICTED, and a regional policy", async () => {
        expect(await messages(pack(), POLICY, sslPolicy({}))).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                sslPolicy({ minTlsVersion: "TLS_1_3", profile: "RESTRICTED" }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                sslPolicy({}, "gcp:compute/regionSslPolicy:RegionSslPolicy"),
            ),
        ).toEqual([]);
    });

    it("flags a minimum version below TLS 1.2", async () => {
        expect(await messages(pack(), POLICY, sslPolicy({ minTlsVersion: "TLS_1_1" }))).toEqual([
            `SSL policy 'lb-tls' sets minTlsVersion 'TLS_1_1', which accepts clients below TLS 1.2: set minTlsVersion to "TLS_1_2" (or "TLS_1_3" with the RESTRICTED profile).`,
        ]);
    });

    it("flags a minimum version left to the TLS 1.0 default", async () => {
        expect(await messages(pack(), POLICY, sslPolicy({ minTlsVersion: undefined }))).toEqual([
            `SSL policy 'lb-tls' leaves minTlsVersion unset (the API default is TLS_1_0), which accepts clients below TLS 1.2: set minTlsVersion to "TLS_1_2" (or "TLS_1_3" with the RESTRICTED profile).`,
        ]);
    });

    it("flags a CUSTOM profile", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                sslPolicy({
                    profile: "CUSTOM",
                    customFeatures: ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"],
                }),
            ),
        ).toEqual([
            `SSL policy 'lb-tls' uses profile 'CUSTOM', which is not a vetted modern cipher set: set profile to "MODERN" or "RESTRICTED" (or "FIPS_202205" with minTlsVersion "TLS_1_2"), and drop customFeatures.`,
        ]);
    });

    it("flags a profile left to the COMPATIBLE default, with the TLS default too", async () => {
        expect(await messages(pack(), POLICY, sslPolicy({ profile: undefined }))).toEqual([
            `SSL policy 'lb-tls' leaves profile unset (the API default is COMPATIBLE), which is not a vetted modern cipher set: set profile to "MODERN" or "RESTRICTED" (or "FIPS_202205" with minTlsVersion "TLS_1_2"), and drop customFeatures.`,
        ]);
        expect(
            await messages(pack(), POLICY, resource("gcp:compute/sSLPolicy:SSLPolicy", "bare", {})),
        ).toEqual([
            `SSL policy 'bare' leaves minTlsVersion unset (the API default is TLS_1_0), which accepts clients below TLS 1.2: set minTlsVersion to "TLS_1_2" (or "TLS_1_3" with the RESTRICTED profile).`,
            `SSL policy 'bare' leaves profile unset (the API default is COMPATIBLE), which is not a vetted modern cipher set: set profile to "MODERN" or "RESTRICTED" (or "FIPS_202205" with minTlsVersion "TLS_1_2"), and drop customFeatures.`,
        ]);
    });
});

describe("gcp-ssl-policy-modern: FIPS and the proxies that need a policy", () => {
    const POLICY = "gcp-ssl-policy-modern";
    const proxies: [string, string, string][] = [
        [
            "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
            "TargetHttpsProxy",
            "gcp.compute.SSLPolicy",
        ],
        [
            "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy",
            "RegionTargetHttpsProxy",
            "gcp.compute.RegionSslPolicy",
        ],
        ["gcp:compute/targetSSLProxy:TargetSSLProxy", "TargetSSLProxy", "gcp.compute.SSLPolicy"],
    ];

    it("passes the FIPS_202205 profile with TLS 1.2", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource("gcp:compute/sSLPolicy:SSLPolicy", "fips", {
                    minTlsVersion: "TLS_1_2",
                    profile: "FIPS_202205",
                }),
            ),
        ).toEqual([]);
    });

    it("passes proxies with an SSL policy, also one created in the same stack", async () => {
        for (const [type] of proxies) {
            for (const sslPolicy of ["projects/p/global/sslPolicies/modern", UNKNOWN_STRING]) {
                expect(await messages(pack(), POLICY, resource(type, "lb", { sslPolicy }))).toEqual(
                    [],
                );
            }
        }
    });

    it("flags proxies without an SSL policy", async () => {
        for (const [type, kind, policyType] of proxies) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    resource(type, "lb", {
                        sslCertificates: ["projects/p/global/sslCertificates/c"],
                    }),
                ),
            ).toEqual([
                `${kind} 'lb' has no sslPolicy, so its load balancer uses Google Cloud's default SSL policy (COMPATIBLE profile, minimum TLS 1.0), which accepts clients below TLS 1.2 and weak ciphers: attach an SSL policy (${policyType}) with profile "MODERN" or "RESTRICTED" and minTlsVersion "TLS_1_2" through sslPolicy.`,
            ]);
        }
    });
});

describe("azure-min-tls-12", () => {
    const POLICY = "azure-min-tls-12";
    const STORAGE = "azure-native:storage:StorageAccount";
    const WEB_APP = "azure-native:web:WebApp";
    const weak = (type: string, name: string, path: string, value: string, fix: string) =>
        `${type} '${name}' sets ${path} to '${value}', which lets clients connect below TLS 1.2: set ${path} to "${fix}" (TLS 1.2), or to the TLS 1.3 value where the service offers one.`;

    it("passes TLS 1.2 and 1.3 in every spelling, and resources without a TLS setting", async () => {
        const fine: [string, Record<string, unknown>][] = [
            [STORAGE, { minimumTlsVersion: "TLS1_2" }],
            [STORAGE, { minimumTlsVersion: "TLS1_3" }],
            ["azure-native:cache:Redis", { minimumTlsVersion: "1.2" }],
            ["azure-native:sql:Server", { minimalTlsVersion: "1.3" }],
            ["azure-native:cosmosdb:DatabaseAccount", { minimalTlsVersion: "Tls12" }],
            ["azure-native:eventgrid:Topic", { minimumTlsVersionAllowed: "1.2" }],
            [WEB_APP, { siteConfig: { minTlsVersion: "1.2", scmMinTlsVersion: "1.3" } }],
            ["azure-native:resources:ResourceGroup", { location: "westeurope" }],
        ];
        for (const [type, props] of fine) {
            expect(await messages(pack(), POLICY, resource(type, "fine", props))).toEqual([]);
        }
    });

    it("flags a top-level minimum of TLS 1.0", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource(STORAGE, "logs", { kind: "StorageV2", minimumTlsVersion: "TLS1_0" }),
            ),
        ).toEqual([weak(STORAGE, "logs", "minimumTlsVersion", "TLS1_0", "TLS1_2")]);
    });

    it("flags the other spellings of TLS 1.0 and 1.1", async () => {
        const cases: [string, string, string, string][] = [
            ["azure-native:cache:Redis", "minimumTlsVersion", "1.1", "1.2"],
            ["azure-native:sql:Server", "minimalTlsVersion", "1.0", "1.2"],
            ["azure-native:cosmosdb:DatabaseAccount", "minimalTlsVersion", "Tls11", "Tls12"],
            ["azure-native:cosmosdb:DatabaseAccount", "minimalTlsVersion", "Tls", "Tls12"],
            ["azure-native:dbformysql:SingleServer", "minimalTlsVersion", "TLS1_1", "TLS1_2"],
            ["azure-native:cdn:AFDCustomDomain", "minTlsVersion", "TLS10", "TLS12"],
            ["azure-native:web:WebApp", "minTlsVersion", "TLSv1", "TLSv1.2"],
            [
                "azure-native:dbforpostgresql:SingleServer",
                "minimalTlsVersion",
                "TLSEnforcementDisabled",
                "TLS1_2",
            ],
            ["azure-native:sql:ManagedInstance", "minimalTlsVersion", "None", "1.2"],
        ];
        for (const [type, key, value, fix] of cases) {
            expect(await messages(pack(), POLICY, resource(type, "old", { [key]: value }))).toEqual(
                [weak(type, "old", key, value, fix)],
            );
        }
    });

    it("flags a minimum nested under siteConfig", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource(WEB_APP, "portal", {
                    kind: "app,linux",
                    siteConfig: { minTlsVersion: "1.2", scmMinTlsVersion: "1.0" },
                }),
            ),
        ).toEqual([weak(WEB_APP, "portal", "siteConfig.scmMinTlsVersion", "1.0", "1.2")]);
    });

    it("flags a minimum two levels down under properties, but looks no deeper", async () => {
        const type = "azure-native:cdn:AFDCustomDomain";
        expect(
            await messages(
                pack(),
                POLICY,
                resource(type, "edge", {
                    properties: { tlsSettings: { minimumTlsVersion: "TLS10" } },
                }),
            ),
        ).toEqual([
            weak(type, "edge", "properties.tlsSettings.minimumTlsVersion", "TLS10", "TLS12"),
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                resource(type, "deep", { a: { b: { c: { minimumTlsVersion: "TLS10" } } } }),
            ),
        ).toEqual([]);
    });

    it("reads past values unknown during preview, but not an unknown TLS version", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource(STORAGE, "preview", {
                    resourceGroupName: UNKNOWN_STRING,
                    encryption: UNKNOWN_STRING,
                    networkRuleSet: { virtualNetworkRules: [{ id: UNKNOWN_STRING }] },
                    minimumTlsVersion: "TLS1_2",
                }),
            ),
        ).toEqual([]);
        const unknown = await messages(
            pack(),
            POLICY,
            resource(STORAGE, "preview", { minimumTlsVersion: UNKNOWN_STRING }),
        );
        expect(unknown).toHaveLength(1);
        expect(unknown[0]).toMatch(/can't run policy 'azure-min-tls-12'.* during preview/);
    });

    it("ignores the same property names outside azure-native", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource("gcp:compute/sSLPolicy:SSLPolicy", "gcp", { minTlsVersion: "TLS_1_0" }),
            ),
        ).toEqual([]);
    });
});

describe("azure-min-tls-12 on Application Gateways", () => {
    const POLICY = "azure-min-tls-12";
    const GATEWAY = "azure-native:network:ApplicationGateway";
    const gateway = (props: Record<string, unknown>, type = GATEWAY) =>
        resource(type, "appgw", { resourceGroupName: "fleet", ...props });

    it("passes TLS 1.2 predefined and custom policies, the default policy, and sslProfiles", async () => {
        for (const props of [
            {},
            { sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101" } },
            { sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" } },
            { sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20170401S" } },
            { sslPolicy: { policyType: "CustomV2", minProtocolVersion: "TLSv1_3" } },
            {
                sslPolicy: { policyType: "Custom", minProtocolVersion: "TLSv1_2" },
                sslProfiles: [
                    {
                        name: "strict",
                        sslPolicy: { policyType: "CustomV2", minProtocolVersion: "TLSv1_3" },
                    },
                ],
            },
            { sslPolicy: UNKNOWN_STRING, sslProfiles: UNKNOWN_STRING },
        ]) {
            expect(await messages(pack(), POLICY, gateway(props))).toEqual([]);
        }
    });

    it("flags a custom minimum below TLS 1.2, on the gateway and in an SSL profile", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                gateway(
                    {
                        sslPolicy: { policyType: "Custom", minProtocolVersion: "TLSv1_0" },
                        sslProfiles: [
                            {
                                name: "ok",
                                sslPolicy: { policyType: "Custom", minProtocolVersion: "TLSv1_2" },
                            },
                            {
                                name: "legacy",
                                sslPolicy: { policyType: "Custom", minProtocolVersion: "TLSv1_1" },
                            },
                        ],
                    },
                    "azure-native:network/v20240501:ApplicationGateway",
                ),
            ),
        ).toEqual([
            `azure-native:network/v20240501:ApplicationGateway 'appgw' sets sslPolicy.minProtocolVersion to 'TLSv1_0', which lets clients connect with TLS 1.0: set sslPolicy.minProtocolVersion to "TLSv1_2" (or "TLSv1_3").`,
            `azure-native:network/v20240501:ApplicationGateway 'appgw' sets sslProfiles[1].sslPolicy.minProtocolVersion to 'TLSv1_1', which lets clients connect with TLS 1.1: set sslProfiles[1].sslPolicy.minProtocolVersion to "TLSv1_2" (or "TLSv1_3").`,
        ]);
    });

    it("flags the predefined policies that allow TLS 1.0 and 1.1", async () => {
        for (const [name, allows] of [
            ["AppGwSslPolicy20150501", "TLS 1.0"],
            ["AppGwSslPolicy20170401", "TLS 1.1"],
        ]) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    gateway({ sslPolicy: { policyType: "Predefined", policyName: name } }),
                ),
            ).toEqual([
                `${GATEWAY} 'appgw' sets sslPolicy.policyName to '${name}', which lets clients connect with ${allows}: set sslPolicy.policyName to "AppGwSslPolicy20220101" (TLS 1.2 and 1.3, v2 SKUs) or "AppGwSslPolicy20170401S" (TLS 1.2).`,
            ]);
        }
    });
});

describe("kubernetes-ingress-tls", () => {
    const POLICY = "kubernetes-ingress-tls";
    const rule = (host: string) => ({
        host,
        http: {
            paths: [
                {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: "app", port: { name: "http" } } },
                },
            ],
        },
    });
    const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
    /** The Ingress Workload renders. */
    const ingress = (spec: Record<string, unknown>) =>
        resource(INGRESS, "app", {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: "app", namespace: "app" },
            spec: {
                ingressClassName: "nginx",
                tls: [{ hosts: ["app.example.com"], secretName: "app-tls" }],
                rules: [rule("app.example.com")],
                ...spec,
            },
        });

    const noTls = `Ingress 'app' has no spec.tls, so it serves plain HTTP only: add spec.tls: [{ hosts: ["app.example.com"], secretName: "<tls secret>" }] (cert-manager's cert-manager.io/cluster-issuer annotation can issue that secret, for the hosts listed there), or terminate TLS at the cloud load balancer with the alb.ingress.kubernetes.io/certificate-arn annotation (AWS Load Balancer Controller) or networking.gke.io/managed-certificates (GKE).`;
    /** An Ingress of the AWS Load Balancer Controller or GKE: TLS set up by annotations. */
    const annotated = (annotations: Record<string, string>, type = INGRESS) =>
        resource(type, "app", {
            metadata: { name: "app", namespace: "app", annotations },
            spec: { rules: [rule("app.example.com")] },
        });
    const CERT =
        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";

    it("passes a TLS entry without hosts (it covers every host)", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                ingress({
                    tls: [{ secretName: "default-tls" }],
                    rules: [rule("app.example.com"), rule("api.example.org")],
                }),
            ),
        ).toEqual([]);
    });

    it("passes Ingresses whose cloud load balancer terminates TLS", async () => {
        const cases: Record<string, string>[] = [
            { "alb.ingress.kubernetes.io/certificate-arn": CERT },
            {
                "alb.ingress.kubernetes.io/certificate-arn": CERT,
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
                "alb.ingress.kubernetes.io/ssl-redirect": "443",
            },
            // Certificates discovered from the Ingress's hosts.
            { "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]' },
            { "alb.ingress.kubernetes.io/certificate-arn": UNKNOWN_STRING },
            { "networking.gke.io/managed-certificates": "app-cert" },
            { "ingress.gcp.kubernetes.io/pre-shared-cert": "app-cert,api-cert" },
        ];
        for (const annotations of cases) {
            expect(await messages(pack(), POLICY, annotated(annotations))).toEqual([]);
        }
    });

    it("flags an AWS load balancer Ingress that listens on HTTP only", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                annotated({
                    "alb.ingress.kubernetes.io/certificate-arn": CERT,
                    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}]',
                }),
            ),
        ).toEqual([
            `Ingress 'app': its alb.ingress.kubernetes.io/listen-ports annotation '[{"HTTP": 80}]' opens no HTTPS port, so the AWS load balancer serves plain HTTP only: set it to '[{"HTTPS": 443}]' (or '[{"HTTP": 80}, {"HTTPS": 443}]' with alb.ingress.kubernetes.io/ssl-redirect: "443" to send HTTP clients to HTTPS), with the certificate in alb.ingress.kubernetes.io/certificate-arn.`,
        ]);
    });

    it("flags a cert-manager annotation without spec.tls, and checks the older Ingress APIs", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                annotated({ "cert-manager.io/cluster-issuer": "letsencrypt" }),
            ),
        ).toEqual([noTls]);
        for (const type of [
            "kubernetes:networking.k8s.io/v1beta1:Ingress",
            "kubernetes:extensions/v1beta1:Ingress",
        ]) {
            expect(await messages(pack(), POLICY, annotated({}, type))).toEqual([noTls]);
            expect(
                await messages(
                    pack(),
                    POLICY,
                    annotated({ "networking.gke.io/managed-certificates": "app-cert" }, type),
                ),
            ).toEqual([]);
        }
    });

    it("checks an IngressPatch on the TLS it sets only", async () => {
        const PATCH = "kubernetes:networking.k8s.io/v1:IngressPatch";
        const patch = (spec: Record<string, unknown>) =>
            resource(PATCH, "app", { metadata: { name: "app", namespace: "app" }, spec });
        expect(await messages(pack(), POLICY, patch({ rules: [rule("app.example.com")] }))).toEqual(
            [],
        );
        expect(
            await messages(
                pack(),
                POLICY,
                patch({
                    tls: [{ hosts: ["app.example.com"], secretName: "app-tls" }],
                    rules: [rule("app.example.com"), rule("admin.example.com")],
                }),
            ),
        ).toEqual([
            `Ingress 'app' serves host 'admin.example.com' without TLS: add it to the hosts of a spec.tls entry whose secret holds a certificate for it.`,
        ]);
    });

    it("passes TLS or rules computed from other resources (unknown during preview)", async () => {
        expect(await messages(pack(), POLICY, ingress({ tls: UNKNOWN_STRING }))).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                ingress({ tls: [{ hosts: [UNKNOWN_STRING], secretName: "app-tls" }] }),
            ),
        ).toEqual([]);
    });

    it("passes an Ingress whose hosts all have TLS, wildcards included", async () => {
        expect(await messages(pack(), POLICY, ingress({}))).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                ingress({
                    tls: [{ hosts: ["*.example.com"], secretName: "wildcard-tls" }],
                    rules: [rule("app.example.com"), rule("api.example.com")],
                }),
            ),
        ).toEqual([]);
    });

    it("flags an Ingress without spec.tls", async () => {
        expect(await messages(pack(), POLICY, ingress({ tls: undefined }))).toEqual([noTls]);
        expect(await messages(pack(), POLICY, ingress({ tls: [] }))).toHaveLength(1);
    });

    it("flags rule hosts that no TLS entry covers", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                ingress({
                    tls: [{ hosts: ["*.example.com"], secretName: "wildcard-tls" }],
                    rules: [rule("app.example.com"), rule("example.com"), rule("a.b.example.com")],
                }),
            ),
        ).toEqual([
            `Ingress 'app' serves hosts 'example.com', 'a.b.example.com' without TLS: add them to the hosts of a spec.tls entry whose secret holds a certificate for them.`,
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                ingress({ rules: [rule("app.example.com"), rule("admin.example.com")] }),
            ),
        ).toEqual([
            `Ingress 'app' serves host 'admin.example.com' without TLS: add it to the hosts of a spec.tls entry whose secret holds a certificate for it.`,
        ]);
    });
});

describe("gitops-source-https", () => {
    const POLICY = "gitops-source-https";
    const HTTPS = "https://github.com/example/fleet.git";
    const HTTP = "http://github.com/example/fleet.git";
    const feature = (syncRepo: string) =>
        resource("gcp:gkehub/feature:Feature", "config-sync", {
            name: "configmanagement",
            location: "global",
            fleetDefaultMemberConfig: {
                configmanagement: {
                    management: "MANAGEMENT_AUTOMATIC",
                    configSync: {
                        enabled: true,
                        sourceFormat: "unstructured",
                        git: { syncRepo, syncBranch: "main", policyDir: "gitops/cluster" },
                    },
                },
            },
        });
    const membership = (syncRepo: string) =>
        resource("gcp:gkehub/featureMembership:FeatureMembership", "override", {
            feature: "configmanagement",
            location: "global",
            configmanagement: { configSync: { git: { syncRepo, secretType: "none" } } },
        });
    const flux = (url: string) =>
        resource("azure-native:kubernetesconfiguration:FluxConfiguration", "arc-gitops", {
            sourceKind: "GitRepository",
            gitRepository: { url, repositoryRef: { branch: "main" } },
        });
    const assignment = (url: string) =>
        resource("azure-native:authorization:PolicyAssignment", "flux-gitops", {
            parameters: {
                configurationName: { value: "fleet-gitops" },
                repositoryUrl: { value: url },
                repositoryRefBranch: { value: "main" },
            },
        });
    const fix = (kind: string, name: string, field: string) =>
        `${kind} '${name}' syncs ${field} '${HTTP}' over plain http, where what the cluster applies can be read and altered in transit: set ${field} to '${HTTPS}' (or an ssh URL).`;

    it("passes https and ssh sources", async () => {
        for (const r of [
            feature(HTTPS),
            feature("git@github.com:example/fleet.git"),
            membership(HTTPS),
            flux(HTTPS),
            flux("ssh://git@github.com/example/fleet.git"),
            assignment(HTTPS),
        ]) {
            expect(await messages(pack(), POLICY, r)).toEqual([]);
        }
    });

    it("flags a Config Sync fleet default over http", async () => {
        expect(await messages(pack(), POLICY, feature(HTTP))).toEqual([
            fix(
                "Feature",
                "config-sync",
                "fleetDefaultMemberConfig.configmanagement.configSync.git.syncRepo",
            ),
        ]);
    });

    it("flags a Config Sync membership override over http", async () => {
        expect(await messages(pack(), POLICY, membership(HTTP))).toEqual([
            fix("FeatureMembership", "override", "configmanagement.configSync.git.syncRepo"),
        ]);
    });

    it("flags a Flux configuration over http", async () => {
        expect(await messages(pack(), POLICY, flux(HTTP))).toEqual([
            fix("FluxConfiguration", "arc-gitops", "gitRepository.url"),
        ]);
    });

    const sourceControl = (repositoryUrl: string) =>
        resource("azure-native:kubernetesconfiguration:SourceControlConfiguration", "flux-v1", {
            repositoryUrl,
            operatorType: "Flux",
        });
    const gitRepository = (url: string, apiVersion = "source.toolkit.fluxcd.io/v1") =>
        resource(`kubernetes:${apiVersion}:GitRepository`, "fleet", {
            apiVersion,
            kind: "GitRepository",
            metadata: { name: "fleet", namespace: "flux-system" },
            spec: { interval: "1m", url, ref: { branch: "main" } },
        });
    const GIT = "git://github.com/example/fleet.git";

    it("passes https and ssh sources of source control configurations and Flux GitRepositories, and URLs computed from other resources", async () => {
        for (const r of [
            sourceControl(HTTPS),
            gitRepository(HTTPS),
            gitRepository(
                "ssh://git@github.com/example/fleet.git",
                "source.toolkit.fluxcd.io/v1beta2",
            ),
            flux(UNKNOWN_STRING),
            gitRepository(UNKNOWN_STRING),
        ]) {
            expect(await messages(pack(), POLICY, r)).toEqual([]);
        }
    });

    it("flags a source control configuration and Flux GitRepositories over http", async () => {
        expect(await messages(pack(), POLICY, sourceControl(HTTP))).toEqual([
            fix("SourceControlConfiguration", "flux-v1", "repositoryUrl"),
        ]);
        for (const version of ["v1", "v1beta2", "v1beta1"]) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    gitRepository(HTTP, `source.toolkit.fluxcd.io/${version}`),
                ),
            ).toEqual([fix("GitRepository", "fleet", "spec.url")]);
        }
    });

    it("flags git:// sources", async () => {
        expect(await messages(pack(), POLICY, flux(GIT))).toEqual([
            `FluxConfiguration 'arc-gitops' syncs gitRepository.url '${GIT}' over the git:// protocol, unencrypted and unauthenticated, where what the cluster applies can be read and altered in transit: set gitRepository.url to '${HTTPS}' (or an ssh URL).`,
        ]);
    });

    it("flags a Flux policy assignment whose repositoryUrl is http", async () => {
        expect(await messages(pack(), POLICY, assignment(HTTP))).toEqual([
            fix("PolicyAssignment", "flux-gitops", "parameters.repositoryUrl.value"),
        ]);
    });
});
