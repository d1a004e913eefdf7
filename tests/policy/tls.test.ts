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
            `SSL policy 'lb-tls' uses profile 'CUSTOM', which is not a vetted modern cipher set: set profile to "MODERN" or "RESTRICTED" (and drop customFeatures).`,
        ]);
    });

    it("flags a profile left to the COMPATIBLE default, with the TLS default too", async () => {
        expect(await messages(pack(), POLICY, sslPolicy({ profile: undefined }))).toEqual([
            `SSL policy 'lb-tls' leaves profile unset (the API default is COMPATIBLE), which is not a vetted modern cipher set: set profile to "MODERN" or "RESTRICTED" (and drop customFeatures).`,
        ]);
        expect(
            await messages(pack(), POLICY, resource("gcp:compute/sSLPolicy:SSLPolicy", "bare", {})),
        ).toEqual([
            `SSL policy 'bare' leaves minTlsVersion unset (the API default is TLS_1_0), which accepts clients below TLS 1.2: set minTlsVersion to "TLS_1_2" (or "TLS_1_3" with the RESTRICTED profile).`,
            `SSL policy 'bare' leaves profile unset (the API default is COMPATIBLE), which is not a vetted modern cipher set: set profile to "MODERN" or "RESTRICTED" (and drop customFeatures).`,
        ]);
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
    /** The Ingress Workload renders. */
    const ingress = (spec: Record<string, unknown>) =>
        resource("kubernetes:networking.k8s.io/v1:Ingress", "app", {
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
        expect(await messages(pack(), POLICY, ingress({ tls: undefined }))).toEqual([
            `Ingress 'app' has no spec.tls, so it serves plain HTTP only: add spec.tls: [{ hosts: ["app.example.com"], secretName: "<tls secret>" }] (or a cert-manager.io/cluster-issuer annotation to have the secret issued).`,
        ]);
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

    it("flags a Flux policy assignment whose repositoryUrl is http", async () => {
        expect(await messages(pack(), POLICY, assignment(HTTP))).toEqual([
            fix("PolicyAssignment", "flux-gitops", "parameters.repositoryUrl.value"),
        ]);
    });
});
