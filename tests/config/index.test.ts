/**
 * The whole stack config (config/index.ts): the defaults of every section together, the checks
 * across clouds and sections, tags, and how the parser reads raw config and reports what is wrong
 * (every problem at once, with its key and fix). Each section's own rules are tested in
 * tests/config/<section>.test.ts.
 */
import { ConfigError, parseStackConfig, StackConfig } from "../../config";
import { closestKey } from "../../config-issues";
import {
    APP,
    AWS_ON,
    AWS_REQUIRED,
    awsWith,
    AZURE_ARC,
    EDGE_SITE,
    KUBECONFIG,
    NS,
    problemsOf,
    raw,
} from "./harness";

describe("parseStackConfig: valid config", () => {
    it("settles every default, with the blueprint's fleet values", () => {
        const config: StackConfig = parseStackConfig(raw(), NS);
        expect(config.aws).toEqual({
            enabled: true,
            region: "us-east-1",
            allowedAccountIds: [],
            fleet: {
                minSize: 2,
                maxSize: 10,
                desiredCapacity: 2,
                targetCpuUtilization: 65,
                instanceType: "t3.small",
                os: "al2023",
                architecture: "x86_64",
                rootVolumeSizeGiB: 20,
                instanceRefresh: { minHealthyPercentage: 100, maxHealthyPercentage: 150 },
                healthCheckGracePeriodSeconds: 300,
            },
            network: { cidrBlock: "10.0.0.0/16", availabilityZoneCount: 2, natGateways: "single" },
            loadBalancer: {
                certificateArn: AWS_REQUIRED.loadBalancer.certificateArn,
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                ingressCidrs: ["0.0.0.0/0"],
                deletionProtection: false,
                idleTimeoutSeconds: 60,
                // TLS to the instances by default; access logs are a stack's choice.
                targetProtocol: "HTTPS",
                accessLogs: { enabled: false, expirationDays: 90 },
            },
            alerts: { emails: [], highCpuThreshold: 85, error5xxRatePercent: 5 },
            // The web ACL is on unless a stack turns it off.
            waf: {
                enabled: true,
                rateLimitAction: "block",
                commonRuleSetExcludedRules: [],
                logRetentionDays: 90,
            },
        });
        expect(config.app.rateLimit).toEqual({ requestsPer5Minutes: 2000 });
        expect(config.dashboard).toEqual({
            enabled: true,
            sku: "Standard",
            grafanaMajorVersion: "11",
            zoneRedundancy: false,
            adminGroupObjectIds: [],
            viewerGroupObjectIds: [],
            credentialRotation: "1",
            deployerObjectId: "55555555-5555-5555-5555-555555555555",
            deployerPrincipalType: "ServicePrincipal",
            // No project folder given: no dashboards read.
            files: [],
        });
        expect(config.gcp.enabled).toBe(false);
        expect(config.azure.enabled).toBe(false);
        expect(config.tags).toEqual({});
    });

    it("lets a team run AWS alone, Google Cloud alone, or all three", () => {
        expect(parseStackConfig(raw(), NS).aws.enabled).toBe(true);
        const gcpOnly = parseStackConfig(
            raw({
                aws: undefined,
                gcp: {
                    enabled: true,
                    project: "my-project-1",
                    region: "europe-west1",
                    configSync: { syncRepo: "https://github.com/org/fleet.git" },
                },
            }),
            NS,
        );
        expect([gcpOnly.aws.enabled, gcpOnly.gcp.enabled, gcpOnly.azure.enabled]).toEqual([
            false,
            true,
            false,
        ]);
    });

    it("accepts numbers and booleans given as text, as `pulumi config set` may store them", () => {
        const config = parseStackConfig(
            raw({ aws: awsWith({ enabled: "true" }, { minSize: "3", desiredCapacity: "3" }) }),
            NS,
        );
        expect(config.aws.enabled).toBe(true);
        expect(config.aws.fleet.minSize).toBe(3);
    });

    it("takes account ids and tag values that YAML or `config set --path` stored as numbers", () => {
        const config = parseStackConfig(
            raw({
                aws: awsWith({ allowedAccountIds: [123456789012] }),
                tags: { "cost-center": 4711 },
            }),
            NS,
        );
        expect(config.aws.enabled && config.aws.allowedAccountIds).toEqual(["123456789012"]);
        expect(config.tags).toEqual({ "cost-center": "4711" });
    });

    it("ignores other namespaces such as pulumi: and policy packs", () => {
        expect(() =>
            parseStackConfig({ ...raw(), "pulumi:tags": "{}", "other:key": "x" }, NS),
        ).not.toThrow();
    });
});

describe("parseStackConfig: every kind of bad input is reported with its key and fix", () => {
    const cases: [string, Record<string, string>, string[]][] = [
        [
            "a missing required key",
            raw({ environment: undefined }),
            [
                "multicloud:environment is required: fix it with `pulumi config set --path environment <value>`",
            ],
        ],
        [
            "a misspelt key, with the known key it is closest to",
            raw({ aws: awsWith({}, { maxsize: 4 }) }),
            [
                "multicloud:aws.fleet.maxsize is not a known setting (known here: minSize, maxSize, desiredCapacity, " +
                    "targetCpuUtilization, instanceType, os, architecture, rootVolumeSizeGiB, kmsKeyArn, " +
                    "serviceLinkedRoleArn, createServiceLinkedRole, instanceRefresh, healthCheckGracePeriodSeconds): " +
                    "did you mean `maxSize`? Rename it in the stack file, or remove it with `pulumi config rm --path aws.fleet.maxsize`",
            ],
        ],
        [
            "a misspelt top-level key of the namespace",
            raw({ enviroment: "dev" }),
            [
                "multicloud:enviroment is not a known setting (known here: environment, tags, aws, gcp, azure, edge, " +
                    "app, appImage, dashboard, databaseUrl, registryPullCredential): " +
                    "did you mean `environment`? Rename it in the stack file, or remove it with `pulumi config rm --path enviroment`",
            ],
        ],
        [
            "an unknown key close to none",
            raw({ aws: awsWith({ spotInstances: true }) }),
            [
                "multicloud:aws.spotInstances is not a known setting (known here: enabled, region, allowedAccountIds, " +
                    "fleet, network, loadBalancer, alerts, waf): remove it with `pulumi config rm --path aws.spotInstances` or fix its spelling",
            ],
        ],
        [
            "a wrong type",
            raw({ aws: awsWith({ enabled: "yes" }) }),
            [
                'multicloud:aws.enabled must be a boolean, got "yes": fix it with `pulumi config set --path aws.enabled <value>`',
            ],
        ],
        [
            "a fractional instance count",
            raw({ aws: awsWith({}, { minSize: 1.5 }) }),
            [
                "multicloud:aws.fleet.minSize must be a whole number, got 1.5: fix it with `pulumi config set --path aws.fleet.minSize <value>`",
            ],
        ],
        [
            "a tag key no cloud accepts everywhere",
            raw({ tags: { CostCenter: "x" } }),
            [
                "multicloud:tags.CostCenter must be a valid tag key on every cloud: start with a lowercase letter, " +
                    "then up to 62 lowercase letters, digits, _ or - (Google Cloud label rules): rename the key in the stack file",
            ],
        ],
        [
            "a tag the program owns",
            raw({ tags: { environment: "x" } }),
            [
                "multicloud:tags.environment is set by the program on every resource; remove it (reserved: project, stack, environment, managed-by)",
            ],
        ],
        [
            "no cloud enabled",
            raw({ aws: { enabled: false } }),
            [
                "the multicloud stack config enables no cloud: set at least one of aws.enabled, gcp.enabled, azure.enabled to true",
            ],
        ],
        [
            "ambient provider config that the program would ignore",
            raw({ "aws:region": "eu-west-1" }),
            [
                "aws:region has no effect: this program configures every provider explicitly from multicloud:* keys " +
                    "(e.g. multicloud:aws.region, multicloud:gcp.project); remove it with `pulumi config rm aws:region`",
            ],
        ],
        [
            "structured config that is not JSON",
            { ...raw(), "multicloud:gcp": "{not json" },
            ["multicloud:gcp is not valid structured config: rewrite it as YAML in the stack file"],
        ],
    ];

    it.each(cases)("%s", (_what, config, expected) => {
        expect(problemsOf(config)).toEqual(expected);
    });

    it("lists every problem at once, in one error that names the stack", () => {
        const config = raw({
            environment: undefined,
            aws: {
                enabled: true,
                fleet: { minSize: 2, maxSize: 1 },
                loadBalancer: AWS_REQUIRED.loadBalancer,
            },
            gcp: { enabled: true, project: "x" },
        });
        let error: ConfigError | undefined;
        try {
            parseStackConfig(config, NS, "dev");
        } catch (e) {
            error = e as ConfigError;
        }
        expect(error?.problems).toHaveLength(6);
        expect(error?.message).toMatch(
            /^Invalid stack config for stack 'dev' \(6 problems\); nothing was created:\n {2}- /,
        );
        for (const key of [
            "environment",
            "aws.region",
            "aws.fleet.maxSize",
            "gcp.project",
            "gcp.region",
            "gcp.configSync.syncRepo",
        ]) {
            expect(error?.message).toContain(`multicloud:${key} `);
        }
    });

    it("refuses a stack name that cannot be a Google Cloud label, since every resource is tagged with it", () => {
        expect(() => parseStackConfig(raw(), NS, "Prod.EU")).toThrow(
            "the stack name 'Prod.EU' cannot be a tag value on every cloud (Google Cloud label rules: up to 63 " +
                "lowercase letters, digits, _ or -): rename the stack with `pulumi stack rename prod-eu`",
        );
    });

    it("reports every problem of the rate limit, the web ACL and the dashboard at once", () => {
        expect(
            problemsOf(
                raw({
                    app: { ...APP, rateLimit: { requestsPer5Minutes: 2_000_000_001 } },
                    aws: { ...AWS_ON, waf: { logRetentionDays: 45, rateLimitAction: "drop" } },
                    dashboard: { name: "9-grafana", credentialRotation: "a b" },
                }),
            ),
        ).toEqual([
            'multicloud:aws.waf.rateLimitAction must be one of "block", "count", got "drop": fix it with `pulumi config set --path aws.waf.rateLimitAction <value>`',
            expect.stringMatching(
                /^multicloud:aws\.waf\.logRetentionDays must be one of CloudWatch Logs' retention periods \(0, 1, 3, 5, 7, 14, 30, 60, 90,.*\): fix it with `pulumi config set --path aws\.waf\.logRetentionDays <value>`$/,
            ),
            "multicloud:app.rateLimit.requestsPer5Minutes must be at most 2000000000, AWS WAF's largest rate limit: lower it with `pulumi config set --path app.rateLimit.requestsPer5Minutes 2000000000`",
            expect.stringMatching(
                /^multicloud:dashboard\.name must be 2-23 letters, digits or hyphens, starting with a letter/,
            ),
            expect.stringMatching(
                /^multicloud:dashboard\.credentialRotation must be a short label/,
            ),
        ]);
    });

    it("reports a section of the wrong type once, without a misleading 'no cloud'", () => {
        expect(problemsOf(raw({ aws: "yes" }))).toEqual([
            'multicloud:aws must be an object, got "yes": fix it with `pulumi config set --path aws <value>`',
        ]);
    });

    it("reports a reserved tag even when its value is invalid too", () => {
        expect(problemsOf(raw({ tags: { environment: "Prod" } }))).toEqual([
            expect.stringMatching(/^multicloud:tags.environment must be a valid tag value/),
            expect.stringMatching(
                /^multicloud:tags.environment is set by the program on every resource/,
            ),
        ]);
    });

    it("is a RunError, so `pulumi up` prints the message without a stack trace", () => {
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        try {
            parseStackConfig(raw({ environment: undefined }), NS);
        } catch (e) {
            expect(pulumi.RunError.isInstance(e)).toBe(true);
            return;
        }
        throw new Error("expected a ConfigError");
    });
});

describe("closestKey: the known key an unknown one misspells", () => {
    it("matches without case and within a third of the key's length in edits", () => {
        const known = ["enabled", "region", "allowedAccountIds", "fleet", "maxSize", "os"];
        expect(closestKey("regoin", known)).toBe("region");
        expect(closestKey("REGION", known)).toBe("region");
        expect(closestKey("maxsize", known)).toBe("maxSize");
        expect(closestKey("enable", known)).toBe("enabled");
        expect(closestKey("allowedAccounts", known)).toBe("allowedAccountIds");
        expect(closestKey("accounts", known)).toBeUndefined();
        // Short keys: one edit at most.
        expect(closestKey("od", known)).toBe("os");
        expect(closestKey("id", known)).toBeUndefined();
        expect(closestKey("spotInstances", known)).toBeUndefined();
    });
});

/**
 * `pulumi config set --path <key> <value>` stores true/false as booleans and digits without a
 * leading zero as integers unless `--type string` is given (pulumi/pulumi
 * pkg/cmd/pulumi/config/config.go, sdk/go/common/resource/config/object.go `coerce`), and an
 * unquoted 11 or 1.30 in a YAML stack file is a number too.
 */
describe("parseStackConfig: text keys given numbers", () => {
    const GCP = {
        enabled: true,
        project: "proj-123456",
        region: "europe-west1",
        configSync: { syncRepo: "https://github.com/org/fleet.git", syncBranch: 2024 },
        clusters: [
            {
                name: "gke-1",
                location: "europe-west1",
                masterIpv4CidrBlock: "172.16.0.0/28",
                configSyncBranch: 7,
                masterAuthorizedNetworks: [{ cidrBlock: "203.0.113.0/24", displayName: 42 }],
            },
        ],
    };
    const numbers = {
        tags: { "cost-center": 4711, billable: true },
        app: {
            ...APP,
            // Public: the edge site pulls it without a pull secret.
            image: `ghcr.io/org/app@sha256:${"0".repeat(64)}`,
            requests: { cpu: 0.5, memory: 134217728 },
            deployerGroup: 1001,
            databaseSecretName: 123,
            ingress: { ...APP.ingress, controllerPodLabels: { version: 2 } },
        },
        azure: { ...AZURE_ARC, gitops: { ...AZURE_ARC.gitops, branch: 2024 } },
        gcp: GCP,
        edge: {
            sites: [{ ...EDGE_SITE, region: 7, labels: { tier: 1, pos: false } }],
            shards: { eu: { regions: [7] } },
            shard: "eu",
        },
        dashboard: {
            deployerObjectId: "55555555-5555-5555-5555-555555555555",
            grafanaMajorVersion: 11,
            credentialRotation: 2,
        },
    };

    it("takes back as text an integer or a boolean, which print as they were written", () => {
        const config = parseStackConfig(raw(numbers), NS, "dev", [`${NS}:edge`]);
        expect(config.tags).toEqual({ "cost-center": "4711", billable: "true" });
        expect(config.app.requests).toEqual({ cpu: "0.5", memory: "134217728" });
        expect(config.app.deployerGroup).toBe("1001");
        expect(config.app.databaseSecretName).toBe("123");
        expect(config.app.ingress.controllerPodLabels).toEqual({ version: "2" });
        expect(config.azure.enabled && config.azure.gitops.branch).toBe("2024");
        expect(config.gcp.enabled && config.gcp.configSync.syncBranch).toBe("2024");
        expect(config.gcp.enabled && config.gcp.clusters[0].configSyncBranch).toBe("7");
        expect(
            config.gcp.enabled && config.gcp.clusters[0].masterAuthorizedNetworks[0].displayName,
        ).toBe("42");
        expect(config.edge.sites[0].region).toBe("7");
        expect(config.edge.sites[0].labels).toEqual({ tier: "1", pos: "false" });
        expect(config.edge.shards.eu.regions).toEqual(["7"]);
        expect(config.dashboard.grafanaMajorVersion).toBe("11");
        expect(config.dashboard.credentialRotation).toBe("2");
    });

    it("refuses a fraction or a huge integer, which may not be what was written, with `--type string`", () => {
        const hint = (key: string, value: string) =>
            `multicloud:${key} takes text, but got the number ${value}, which may not be what was written ` +
            "(an unquoted 1.30 in YAML reads as 1.3; digits past 2^53 are lost): set it as text with " +
            `\`pulumi config set --path ${key} <value> --type string\`, or quote it in the stack file`;
        expect(
            problemsOf(
                raw({
                    tags: { release: 1.3, serial: 12345678901234567890 },
                    azure: { ...AZURE_ARC, arc: { agentChartVersion: 1.3 } },
                    edge: { sites: [EDGE_SITE] },
                    appImage: { build: false, buildArgs: { PYTHON_VERSION: 3.1 } },
                }),
                [`${NS}:edge`],
            ),
        ).toEqual([
            hint("tags.release", "1.3"),
            hint("tags.serial", "12345678901234567000"),
            // Once: not also "agentChartVersion is required when edge.sites are listed".
            hint("azure.arc.agentChartVersion", "1.3"),
            hint("appImage.buildArgs.PYTHON_VERSION", "3.1"),
        ]);
    });

    it("refuses a number on any other text key with the same `--type string` fix", () => {
        expect(
            problemsOf(
                raw({ azure: { ...AZURE_ARC, gitops: { ...AZURE_ARC.gitops, path: 2024 } } }),
            ),
        ).toEqual([
            "multicloud:azure.gitops.path must be text, got the number 2024: YAML and `pulumi config set --path` " +
                "store a value that looks like a number or true/false as one; " +
                "set it as text with `pulumi config set --path azure.gitops.path <value> --type string`, or quote it in the stack file",
        ]);
    });

    it("asks for --secret instead on a secret key, which Pulumi always stores as text, and never quotes it", () => {
        const credential = { server: "x.azurecr.io", username: "u", password: 1.25 };
        expect(problemsOf(raw({ registryPullCredential: credential }))).toEqual([
            "multicloud:registryPullCredential.password takes text, but got a number (not shown: a secret key), " +
                "which may not be what was written (an unquoted 1.30 in YAML reads as 1.3; digits past 2^53 are lost): " +
                "fix it with `pulumi config set --secret --path registryPullCredential.password <value>` (a secret is always stored as text)",
        ]);
    });
});

describe("parseStackConfig: values in messages", () => {
    it("cuts a long value (a kubeconfig pasted into a name) with an ellipsis and its length", () => {
        const pasted = `${KUBECONFIG}${"# padding\n".repeat(20)}`;
        const [problem] = problemsOf(
            raw({ azure: AZURE_ARC, edge: { sites: [{ ...EDGE_SITE, name: pasted }] } }),
            [`${NS}:edge`],
        );
        expect(problem).toBe(
            `multicloud:edge.sites[0].name must be a lowercase DNS label of up to 63 characters (a connected cluster name and a fleet membership id), ` +
                `got ${JSON.stringify(pasted).slice(0, 60)}… (${pasted.length} characters): ` +
                "fix it with `pulumi config set --path 'edge.sites[0].name' <value>`",
        );
    });

    it("quotes a value of up to 80 characters whole", () => {
        const name = `a${"-".repeat(70)}`;
        expect(problemsOf(raw({ environment: name }))).toEqual([
            `multicloud:environment must be a short lowercase name such as dev, staging or prod, got "${name}": ` +
                "fix it with `pulumi config set --path environment <value>`",
        ]);
    });

    it("never quotes a secret: a kubeconfig, a password or a database URL of the wrong type", () => {
        const kubeconfig = { apiVersion: "v1", kind: "Config", users: [{ token: "s3cr3t-token" }] };
        const problems = problemsOf(
            raw({
                azure: AZURE_ARC,
                edge: { sites: [{ ...EDGE_SITE, kubeconfig }] },
                registryPullCredential: {
                    server: "x.azurecr.io",
                    username: "u",
                    password: ["s3cr3t-token"],
                },
                databaseUrl: '["s3cr3t-token"]',
            }),
            [`${NS}:edge`, `${NS}:registryPullCredential`, `${NS}:databaseUrl`],
        );
        expect(problems).toEqual([
            "multicloud:edge.sites[0].kubeconfig must be a string, got an object (not shown: a secret key): " +
                "fix it with `pulumi config set --secret --path 'edge.sites[0].kubeconfig' <value>`",
            "multicloud:databaseUrl must be a string, got a list (not shown: a secret key): " +
                "fix it with `pulumi config set --secret --path databaseUrl <value>`",
            "multicloud:registryPullCredential.password must be a string, got a list (not shown: a secret key): " +
                "fix it with `pulumi config set --secret --path registryPullCredential.password <value>`",
        ]);
        // Nor a whole section that holds one.
        const [section] = problemsOf(raw({ edge: [{ ...EDGE_SITE, kubeconfig: "s3cr3t-token" }] }));
        expect(section).toBe(
            "multicloud:edge must be an object, got a list (not shown: a secret key): fix it with `pulumi config set --path edge <value>`",
        );
        for (const p of [...problems, section]) expect(p).not.toContain("s3cr3t");
    });
});
