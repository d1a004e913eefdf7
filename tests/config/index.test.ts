import {
    ConfigError,
    databaseUrlTlsProblem,
    masterRange,
    parseStackConfig,
    StackConfig,
} from "../../config";
import { secretPlaceholder } from "../../lib/stack-files";
import {
    APP,
    AWS_ON,
    AWS_REQUIRED,
    awsWith,
    GITOPS,
    NS,
    problemsOf,
    PROJECT,
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
            "maxSize below minSize",
            raw({ aws: awsWith({}, { minSize: 2, maxSize: 1 }) }),
            [
                "multicloud:aws.fleet.maxSize (1) must be >= minSize (2): raise maxSize or lower minSize",
            ],
        ],
        [
            "desiredCapacity outside [min, max]",
            raw({ aws: awsWith({}, { desiredCapacity: 20 }) }),
            [
                "multicloud:aws.fleet.desiredCapacity (20) must be within [minSize, maxSize] = [2, 10]",
            ],
        ],
        [
            "a CPU target outside (0, 100]",
            raw({
                aws: awsWith({}, { targetCpuUtilization: 0 }),
            }),
            [
                "multicloud:aws.fleet.targetCpuUtilization (0) must be a percentage in (0, 100], e.g. 65",
            ],
        ],
        [
            "a missing required key",
            raw({ environment: undefined }),
            [
                "multicloud:environment is required: fix it with `pulumi config set --path environment <value>`",
            ],
        ],
        [
            "a field required once its cloud is enabled",
            raw({ azure: { enabled: true, location: "westeurope", gitops: GITOPS } }),
            [
                "multicloud:azure.subscriptionId is required when azure.enabled is true: set it with " +
                    "`pulumi config set --path azure.subscriptionId <value>`, or set azure.enabled to false",
            ],
        ],
        [
            "a misspelt key",
            raw({ aws: awsWith({}, { maxsize: 4 }) }),
            [
                "multicloud:aws.fleet.maxsize is not a known setting (known here: minSize, maxSize, desiredCapacity, " +
                    "targetCpuUtilization, instanceType, os, architecture, rootVolumeSizeGiB, kmsKeyArn, " +
                    "serviceLinkedRoleArn, createServiceLinkedRole, instanceRefresh, healthCheckGracePeriodSeconds): " +
                    "remove it with `pulumi config rm --path aws.fleet.maxsize` or fix its spelling",
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
            "a malformed region",
            raw({ aws: awsWith({ region: "US East" }) }),
            [
                'multicloud:aws.region must be an AWS region code such as us-east-1 or eu-west-2, got "US East": ' +
                    "fix it with `pulumi config set --path aws.region <value>`",
            ],
        ],
        [
            "a malformed account id",
            raw({ aws: awsWith({ allowedAccountIds: ["1234"] }) }),
            [
                "multicloud:aws.allowedAccountIds[0] must be a 12-digit AWS account id, quoted in the stack file " +
                    '("012345678901") so that a leading zero survives, got "1234": ' +
                    "fix it with `pulumi config set --path aws.allowedAccountIds[0] <value>`",
            ],
        ],
        [
            "a Google Cloud zone where a region belongs",
            raw({
                gcp: {
                    enabled: true,
                    project: "my-project-1",
                    region: "europe-west1-b",
                    configSync: { enabled: false },
                },
            }),
            [
                "multicloud:gcp.region must be a Google Cloud region such as europe-west1 or us-central1 (not a zone), " +
                    'got "europe-west1-b": fix it with `pulumi config set --path gcp.region <value>`',
            ],
        ],
        [
            "a subscription id that is not a GUID",
            raw({
                azure: {
                    enabled: true,
                    subscriptionId: "my-sub",
                    location: "westeurope",
                    gitops: GITOPS,
                },
            }),
            [
                "multicloud:azure.subscriptionId must be the Azure subscription id as a GUID " +
                    '(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got "my-sub": fix it with `pulumi config set --path azure.subscriptionId <value>`',
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
                /^multicloud:aws\.waf\.logRetentionDays must be one of CloudWatch Logs' retention periods: 0, 1, 3, 5, 7, 14, 30, 60, 90,/,
            ),
            "multicloud:app.rateLimit.requestsPer5Minutes must be at most 2000000000, AWS WAF's largest rate limit",
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

/**
 * Config the clouds would refuse although each value is well-formed on its own: reported before
 * anything is registered, with the key and the fix.
 */
describe("databaseUrl: TLS required (libpq sslmode)", () => {
    const SECRET = [`${NS}:databaseUrl`];
    const parse = (url: string) => {
        try {
            parseStackConfig(raw({ databaseUrl: url }), NS, "dev", SECRET);
            return [];
        } catch (e) {
            return [...(e as ConfigError).problems];
        }
    };
    const FIX =
        "`pulumi config set --secret databaseUrl 'postgresql://<user>:<password>@<host>:5432/<database>?sslmode=verify-full'`";
    const NO_TLS = (why: string) =>
        `${NS}:databaseUrl does not require TLS: its sslmode is ${why}, and disable, allow and prefer let libpq connect in plain text; add sslmode=verify-full (or verify-ca, or require) to its query string: ${FIX}`;

    it.each([
        "postgresql://app:s3cret@db.internal:5432/app?sslmode=verify-full",
        "postgres://app@db.internal/app?connect_timeout=5&sslmode=verify-ca",
        "postgresql://app@h1:5432,h2:5432/app?sslmode=require&target_session_attrs=read-write",
        "POSTGRESQL://app@db/app?sslmode=%76erify-full",
    ])("accepts %s", (url) => {
        expect(parse(url)).toEqual([]);
    });

    it.each<[string, string]>([
        ["postgresql://app:s3cret@db.internal/app", NO_TLS("missing (libpq then uses prefer)")],
        [
            "postgresql://app:s3cret@db.internal/app?sslmode=prefer",
            NO_TLS("not one of require, verify-ca, verify-full"),
        ],
        [
            "postgresql://app:s3cret@db.internal/app?sslmode=disable",
            NO_TLS("not one of require, verify-ca, verify-full"),
        ],
        [
            "postgresql://app:s3cret@db.internal/app?sslmode=allow",
            NO_TLS("not one of require, verify-ca, verify-full"),
        ],
        // Every sslmode counts: a weak one beside a strong one is refused.
        [
            "postgresql://app:s3cret@db.internal/app?sslmode=require&sslmode=disable",
            NO_TLS("not one of require, verify-ca, verify-full"),
        ],
        // sslmode in the path or the password is not the parameter.
        [
            "postgresql://app:sslmode=require@db.internal/app",
            NO_TLS("missing (libpq then uses prefer)"),
        ],
        [
            "mysql://app:s3cret@db.internal/app?ssl-mode=REQUIRED",
            `${NS}:databaseUrl is not a PostgreSQL connection URI (postgresql:// or postgres://): set it with ${FIX}`,
        ],
    ])("refuses %s, naming the key and the fix, never the URL", (url, message) => {
        const problems = parse(url);
        expect(problems).toEqual([message]);
        // The URL is a secret: no part of it is echoed.
        expect(problems.join("\n")).not.toContain("s3cret");
        expect(problems.join("\n")).not.toContain("db.internal");
    });

    it("checks the pure rule on its own, and leaves the offline plan's placeholder alone", () => {
        expect(databaseUrlTlsProblem("postgresql://db/app?sslmode=verify-full")).toBeUndefined();
        expect(databaseUrlTlsProblem("postgresql://db/app")).toMatch(/^does not require TLS/);
        // No secrets provider offline: the committed prod stack's ciphertext becomes this.
        expect(parse(secretPlaceholder("multicloud:databaseUrl", "v1:ciphertext"))).toEqual([]);
    });
});

describe("aws.loadBalancer: target protocol and access logs", () => {
    const lb = (patch: Record<string, unknown>) =>
        raw({ aws: awsWith({ loadBalancer: { ...AWS_REQUIRED.loadBalancer, ...patch } }) });

    it("takes HTTP as the explicit exception, and access logs with their expiry", () => {
        const config = parseStackConfig(
            lb({ targetProtocol: "HTTP", accessLogs: { enabled: true, expirationDays: 30 } }),
            NS,
        );
        expect(config.aws.loadBalancer.targetProtocol).toBe("HTTP");
        expect(config.aws.loadBalancer.accessLogs).toEqual({ enabled: true, expirationDays: 30 });
    });

    it("refuses another protocol and an expiry below one day", () => {
        expect(
            problemsOf(
                lb({ targetProtocol: "TCP", accessLogs: { enabled: true, expirationDays: 0 } }),
            ),
        ).toEqual([
            `${NS}:aws.loadBalancer.targetProtocol must be one of "HTTPS", "HTTP", got "TCP": fix it with \`pulumi config set --path aws.loadBalancer.targetProtocol <value>\``,
            `${NS}:aws.loadBalancer.accessLogs.expirationDays (0) must be >= 1: fix it with \`pulumi config set --path aws.loadBalancer.accessLogs.expirationDays <value>\``,
        ]);
    });
});

describe("parseStackConfig: combinations the clouds refuse", () => {
    const GROUP = "11111111-1111-1111-1111-111111111111";
    it("refuses a group listed twice (Azure: RoleAssignmentExists for the same role, principal and scope)", () => {
        // A role assignment is unique per (scope, role, principal): a second PUT with another
        // name fails with RoleAssignmentExists (learn.microsoft.com/azure/role-based-access-control/troubleshooting).
        const azure = {
            enabled: true,
            subscriptionId: "00000000-0000-0000-0000-000000000001",
            location: "westeurope",
            gitops: GITOPS,
            adminGroupObjectIds: [GROUP, GROUP.toUpperCase()],
        };
        expect(problemsOf(raw({ azure }))).toEqual([
            `multicloud:azure.adminGroupObjectIds[1] '${GROUP.toUpperCase()}' is listed twice: each group may appear once; remove the repeat`,
        ]);
    });
    it("refuses a client range listed twice (EC2: InvalidPermission.Duplicate)", () => {
        // AuthorizeSecurityGroupIngress refuses a rule that already exists
        // (docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
        const aws = awsWith({
            loadBalancer: {
                ...AWS_REQUIRED.loadBalancer,
                ingressCidrs: ["203.0.113.0/24", "198.51.100.0/24", "203.0.113.0/24"],
            },
        });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.loadBalancer.ingressCidrs[2] '203.0.113.0/24' is listed twice: each client range may appear once; remove the repeat",
        ]);
    });
    it("refuses an alert address or an excluded WAF rule listed twice, as AsgFleet and WebAcl do", () => {
        // SNS keeps one subscription per endpoint; the subscriptions' names drop punctuation
        // (components/aws/checks.ts alertEmailRepeats, itemKey); WAF refuses a repeated rule
        // action override (the components report the same, at plan time).
        const aws = awsWith({
            alerts: {
                emails: [
                    "ops@example.com",
                    "OPS@example.com",
                    "a.b@example.com",
                    "a-b@example.com",
                ],
            },
            waf: { commonRuleSetExcludedRules: ["SizeRestrictions_BODY", "SizeRestrictions_BODY"] },
        });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.alerts.emails[1] 'OPS@example.com' repeats aws.alerts.emails[0]: list each address once (SNS keeps one subscription per address)",
            "multicloud:aws.alerts.emails[3] 'a-b@example.com' and aws.alerts.emails[2] 'a.b@example.com' differ only in punctuation, which the subscriptions' names drop: subscribe one of them through a list address",
            "multicloud:aws.waf.commonRuleSetExcludedRules[1] lists 'SizeRestrictions_BODY' more than once: list it once",
        ]);
    });
});

describe("parseStackConfig: the clouds' rules, before anything is registered", () => {
    const KUBE = [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: c",
        "  cluster:",
        "    server: https://10.0.0.1:6443",
        "contexts:",
        "- name: c",
        "  context:",
        "    cluster: c",
        "    user: u",
        "current-context: c",
        "users:",
        "- name: u",
        "  user:",
        "    token: x",
        "",
    ].join("\n");
    const AZ = {
        enabled: true,
        subscriptionId: "00000000-0000-0000-0000-000000000001",
        location: "westeurope",
        gitops: GITOPS,
        arc: { agentChartVersion: "1.30.1" },
    };
    const ACR_APP = { ...APP, image: `fleet.azurecr.io/app@sha256:${"0".repeat(64)}` };
    const SITE = { name: "s1", region: "eu", kubeconfig: KUBE };
    /** Problems of a stack whose edge config is held as a secret, as kubeconfigs must be. */
    const edgeProblems = (config: Record<string, string>) => {
        try {
            parseStackConfig(config, NS, "dev", [`${NS}:edge`]);
        } catch (e) {
            return [...(e as ConfigError).problems];
        }
        return [];
    };

    it("refuses instance refresh bounds more than 100 apart", () => {
        // RefreshPreferences: "the difference between [Min and MaxHealthyPercentage] cannot be
        // greater than 100" (docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
        // The provider checks only each range, so the first `up` passes and every later launch
        // template change fails to start its refresh.
        const aws = awsWith(
            {},
            { instanceRefresh: { minHealthyPercentage: 90, maxHealthyPercentage: 200 } },
        );
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.fleet.instanceRefresh.maxHealthyPercentage (200) may exceed minHealthyPercentage (90) by 100 at most (AWS refuses to start the refresh otherwise): raise minHealthyPercentage to 100 or lower maxHealthyPercentage to 190",
        ]);
        expect(parseStackConfig(raw(), NS, "dev").aws).toMatchObject({
            fleet: { instanceRefresh: { minHealthyPercentage: 100, maxHealthyPercentage: 150 } },
        });
    });

    it("refuses createServiceLinkedRole, which created a role KMS could not name in a fresh account", () => {
        const aws = awsWith({}, { createServiceLinkedRole: true });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.fleet.createServiceLinkedRole has been removed: the fleet now creates its own Auto Scaling service-linked role with a stack suffix (or uses aws.fleet.serviceLinkedRoleArn); remove it with `pulumi config rm --path aws.fleet.createServiceLinkedRole`; a stack that ran with it true holds the account's default role as `app-autoscaling`: drop it from the state first (`pulumi state delete <its URN>`), or the next up deletes that account-wide role",
        ]);
    });

    it("refuses an instance type of another architecture than aws.fleet.architecture", () => {
        // m7g is Graviton: an x86_64 AMI does not boot on it (EC2 instance type naming).
        const aws = awsWith({}, { instanceType: "m7g.large" });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.fleet.architecture (x86_64) does not match instanceType m7g.large, which is arm64 (AWS Graviton): set architecture to arm64, or choose an x86_64 instance type such as t3.small",
        ]);
    });

    it("refuses an image that lacks an architecture the stack runs", () => {
        // A node pulls the manifest of its own architecture from the image index; without one
        // the container fails with `exec format error` (docs.docker.com/build/building/multi-platform).
        const aws = awsWith({}, { instanceType: "m7g.large", architecture: "arm64" });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:appImage.platforms lacks linux/arm64, which the stack runs (aws.fleet.architecture is arm64): add linux/arm64 to multicloud:appImage.platforms, or change those nodes' architecture",
        ]);
        const both = raw({ aws, appImage: { platforms: ["linux/amd64", "linux/arm64"] } });
        expect(parseStackConfig(both, NS, "dev").appImage.platforms).toEqual([
            "linux/amd64",
            "linux/arm64",
        ]);
        expect(problemsOf(raw({ appImage: { platform: "linux/amd64" } }))).toEqual([
            "multicloud:appImage.platform has moved: list every platform in appImage.platforms (e.g. [linux/amd64, linux/arm64]) and remove appImage.platform with `pulumi config rm --path appImage.platform`",
        ]);
    });

    it("holds the registry's customer-managed key to the rules AppImage applies (Premium, key URI, vault id, same vault)", () => {
        // Premium only: MicrosoftDocs/azure-management-docs tutorial-customer-managed-keys.md.
        const vault = (name: string) =>
            `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/keys/providers/Microsoft.KeyVault/vaults/${name}`;
        const key = "https://fleet-keys.vault.azure.net/keys/acr";
        expect(
            problemsOf(
                raw({
                    appImage: {
                        azureEncryption: { keyIdentifier: key, keyVaultId: vault("other-keys") },
                    },
                }),
            ),
        ).toEqual([
            "multicloud:appImage.azureSku is 'Standard' (the default), but appImage.azureEncryption needs the Premium tier (Azure Container Registry takes customer-managed keys on Premium only): set appImage.azureSku to Premium, or remove appImage.azureEncryption",
            "multicloud:appImage.azureEncryption.keyVaultId is vault 'other-keys', but appImage.azureEncryption.keyIdentifier is a key of vault 'fleet-keys': give the id of the vault that holds the key, which is where its identity is granted",
        ]);
        expect(
            problemsOf(
                raw({
                    appImage: {
                        azureSku: "Premium",
                        azureEncryption: {
                            keyIdentifier: "fleet-keys/acr",
                            keyVaultId: "fleet-keys",
                        },
                    },
                }),
            ),
        ).toEqual([
            "multicloud:appImage.azureEncryption.keyIdentifier 'fleet-keys/acr' is not a Key Vault key URI: use https://<vault>.vault.azure.net/keys/<name> (versionless, rotated automatically) or .../keys/<name>/<version>",
            "multicloud:appImage.azureEncryption.keyVaultId 'fleet-keys' is not a Key Vault's ARM id: use /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.KeyVault/vaults/<vault> (az keyvault show --query id)",
        ]);
        const ok = raw({
            appImage: {
                azureSku: "Premium",
                azureEncryption: { keyIdentifier: key, keyVaultId: vault("fleet-keys") },
            },
        });
        expect(parseStackConfig(ok, NS, "dev").appImage.azureEncryption).toEqual({
            keyIdentifier: key,
            keyVaultId: vault("fleet-keys"),
        });
    });

    it("refuses a certificate of another region or account than the load balancer", () => {
        // ACM certificates are regional and cannot be shared across accounts
        // (docs.aws.amazon.com/acm/latest/userguide/acm-regions.html).
        const aws = awsWith({
            allowedAccountIds: ["210987654321"],
            loadBalancer: {
                certificateArn:
                    "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
            },
        });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.loadBalancer.certificateArn is a certificate in eu-west-1, but the load balancer is in us-east-1: request or import the certificate in us-east-1 (ACM certificates are regional)",
            "multicloud:aws.loadBalancer.certificateArn belongs to account 123456789012, not to the stack's account (aws.allowedAccountIds: 210987654321): request or import it in that account (a load balancer cannot use another account's certificate)",
        ]);
    });

    it("refuses a CIDR with host bits set", () => {
        // terraform-provider-aws internal/verify/validate.go ValidateIPv4CIDRBlock ("did you
        // mean ...?"); the Google provider's IsCIDRNetwork for GKE ranges.
        const aws = awsWith({
            loadBalancer: { ...AWS_REQUIRED.loadBalancer, ingressCidrs: ["10.0.0.1/16"] },
        });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.loadBalancer.ingressCidrs[0] '10.0.0.1/16' has host bits set: write its network address 10.0.0.0/16 (the clouds refuse or rewrite such a block)",
        ]);
    });

    it("refuses overlapping control-plane ranges in one network", () => {
        // PrivateClusterConfig.masterIpv4CidrBlock "must not overlap with any other ranges in
        // use within the cluster's network" (GKE API reference). Two /28s without host bits
        // (refused above) overlap only when equal; ranges of other sizes use cidrsOverlap too.
        const gcp = {
            enabled: true,
            project: "proj-123456",
            region: "europe-west1",
            configSync: { enabled: false },
            clusters: [
                { name: "a", location: "europe-west1", masterIpv4CidrBlock: "172.16.0.0/28" },
                { name: "b", location: "europe-west1", masterIpv4CidrBlock: "172.16.0.0/28" },
            ],
        };
        expect(problemsOf(raw({ gcp }))).toEqual([
            "multicloud:gcp.clusters[1].masterIpv4CidrBlock (172.16.0.0/28) overlaps 172.16.0.0/28, the control-plane range of cluster 'a' in network 'default': give each cluster its own /28",
        ]);
    });

    it("requires every cluster's control-plane range: a default could move, and replace it", () => {
        // masterIpv4CidrBlock is ForceNew (terraform-provider-google
        // container/resource_container_cluster.go, private_cluster_config.master_ipv4_cidr_block):
        // a default that followed the list, or applied once a range is removed from the file,
        // would replace the cluster.
        const gcp = (clusters: Record<string, unknown>[]) => ({
            enabled: true,
            project: "proj-123456",
            region: "europe-west1",
            configSync: { enabled: false },
            clusters,
        });
        const one = { name: "a", location: "europe-west1", masterIpv4CidrBlock: "172.16.0.0/28" };
        const parsed = parseStackConfig(raw({ gcp: gcp([one]) }), NS, "dev");
        expect(masterRange(parsed.gcp.clusters[0])).toBe("172.16.0.0/28");
        expect(
            problemsOf(raw({ gcp: gcp([{ name: "new", location: "us-central1" }, one]) })),
        ).toEqual([
            "multicloud:gcp.clusters[0].masterIpv4CidrBlock is required ('new' sets none): the control plane's private /28, its own in the cluster's network. For a running cluster, set the range it has, since a new one replaces the cluster: `gcloud container clusters describe new --location us-central1 --format='value(privateClusterConfig.masterIpv4CidrBlock)'` (earlier versions of this program gave the cluster at position i 172.16.0.<16 x i>/28); a new cluster takes any free private /28, such as 172.16.0.0/28",
        ]);
    });

    it("refuses a system: group as the app's deployers (kubernetes-rolebinding-no-broad-subjects)", () => {
        expect(problemsOf(raw({ app: { ...APP, deployerGroup: "system:authenticated" } }))).toEqual(
            [
                "multicloud:app.deployerGroup must not be a system: group (Kubernetes' own groups: system:authenticated is everyone signed in, on GKE any Google account): name the group of the people who deploy the app",
            ],
        );
    });

    it("requires the configured deployer that gets Grafana Admin", () => {
        expect(problemsOf(raw({ azure: AZ, dashboard: {} }))).toEqual([
            "multicloud:dashboard.deployerObjectId is required while dashboard.enabled is true: the object id of the identity that runs Pulumi for this stack (for an app: `az ad sp show --id <appId> --query id -o tsv`), which gets Grafana Admin to write the data sources and dashboards; or set dashboard.enabled to false",
        ]);
    });

    it("refuses a released image GitOps clusters cannot pull", () => {
        // An ECR authorization token is valid for 12 hours
        // (docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html).
        const edge = { sites: [SITE] };
        const dashboard = { enabled: false };
        expect(edgeProblems(raw({ azure: AZ, dashboard, edge }))).toEqual([
            "multicloud:app.image is in a private Amazon ECR registry, but edge site 's1' pulls it through GitOps with no AWS identity, and an ECR pull token expires after 12 hours: release the image through ACR or Artifact Registry (app.built.refs.azure or .gcp after a `pulumi up`) with a pull secret in app.imagePullSecrets, or through a public registry",
        ]);
        expect(edgeProblems(raw({ azure: AZ, dashboard, edge, app: ACR_APP }))).toEqual([
            "multicloud:app.imagePullSecrets is empty, but app.image is in a private registry that edge site 's1' pulls from with no cloud identity: create a pull credential (README, \"Pulling the released image\"), set it as registryPullCredential so that Pulumi writes it into each of those clusters, and list its secret name (app-registry) in app.imagePullSecrets",
        ]);
        const app = { ...ACR_APP, imagePullSecrets: ["app-registry"] };
        expect(edgeProblems(raw({ azure: AZ, dashboard, edge, app }))).toEqual([]);
        // EKS nodes pull ECR images with their node role (AmazonEC2ContainerRegistryPullOnly;
        // docs.aws.amazon.com/eks/latest/userguide/create-node-role.html): no token to expire.
        const eksSite = { sites: [{ ...SITE, distribution: "eks" }] };
        expect(edgeProblems(raw({ azure: AZ, dashboard, edge: eksSite }))).toEqual([]);
    });

    it("checks the pull credential Pulumi writes into the GitOps clusters", () => {
        const dashboard = { enabled: false };
        const edge = { sites: [SITE] };
        // The kubelet offers a credential only to the registry host it is keyed by.
        const credential = { server: "other.azurecr.io", username: "app-pull", password: "pw" };
        let problems: string[] = [];
        try {
            parseStackConfig(
                raw({
                    azure: AZ,
                    dashboard,
                    edge,
                    app: ACR_APP,
                    registryPullCredential: credential,
                }),
                NS,
                "dev",
                [`${NS}:edge`],
            );
        } catch (e) {
            problems = [...(e as ConfigError).problems];
        }
        expect(problems).toEqual([
            "multicloud:registryPullCredential must be a secret: set its password with `pulumi config set --secret --path registryPullCredential.password <password>`",
            "multicloud:registryPullCredential.server 'other.azurecr.io' is not the registry of app.image ('fleet.azurecr.io'): the kubelet offers a credential only to its own registry; set it to fleet.azurecr.io",
            "multicloud:app.imagePullSecrets does not list 'app-registry', the Secret Pulumi writes from registryPullCredential: add it in Pulumi.yaml (app.imagePullSecrets)",
        ]);
        const config = parseStackConfig(
            raw({
                azure: AZ,
                dashboard,
                edge,
                app: { ...ACR_APP, imagePullSecrets: ["app-registry"] },
                registryPullCredential: { ...credential, server: "fleet.azurecr.io" },
            }),
            NS,
            "dev",
            [`${NS}:edge`, `${NS}:registryPullCredential`],
        );
        expect(config.registryPullCredential?.secretName).toBe("app-registry");
    });

    it("refuses Arc agents outside Azure's support window, and infrastructure auto", () => {
        // Azure supports the last three minor releases of the agents (N-2): "Arc agent
        // version support policy" (learn.microsoft.com/azure/azure-arc/kubernetes/agent-upgrade).
        const app = { ...ACR_APP, imagePullSecrets: ["app-registry"] };
        const dashboard = { enabled: false };
        expect(
            edgeProblems(
                raw({
                    azure: { ...AZ, arc: { agentChartVersion: "1.14.0" } },
                    dashboard,
                    app,
                    edge: { sites: [SITE] },
                }),
            ),
        ).toEqual([
            "multicloud:azure.arc.agentChartVersion 1.14.0 is outside Azure's support window for the Arc agents (the last 3 minor releases: 1.28.x to 1.30.1); pin 1.30.1",
        ]);
        // `az connectedk8s connect` resolves `auto` from the nodes' provider ids before it calls
        // Azure (azure-cli-extensions src/connectedk8s custom.py get_kubernetes_infra).
        expect(
            edgeProblems(
                raw({
                    azure: AZ,
                    dashboard,
                    app,
                    edge: { sites: [{ ...SITE, infrastructure: "auto" }] },
                }),
            )[0],
        ).toMatch(/^multicloud:edge\.sites\[0\]\.infrastructure must be one of "generic"/);
    });

    // Rule: a tag can be moved to other content, a digest cannot; app/Dockerfile's FROM lines take
    // the base image from PYTHON_IMAGE, so a stack's value must be a digest or a stage name.
    it("refuses a base image build argument that is not pinned by digest, and accepts one that is", () => {
        const problems = (buildArgs: Record<string, string>) => {
            try {
                parseStackConfig(raw({ appImage: { buildArgs } }), NS, "dev", [], PROJECT);
            } catch (e) {
                return (e as ConfigError).problems;
            }
            return [];
        };
        expect(problems({ PYTHON_IMAGE: "python:3.11-alpine" })).toEqual([
            "multicloud:appImage.buildArgs.PYTHON_IMAGE 'python:3.11-alpine' chooses a base image of the Dockerfile and is not pinned by digest: " +
                "append @sha256:<digest of its image index> (`docker buildx imagetools inspect python:3.11-alpine`), " +
                "or remove it to build on the Dockerfile's pinned default",
        ]);
        const digest = `@sha256:${"ab".repeat(32)}`;
        for (const PYTHON_IMAGE of [`python:3.11.16-alpine3.24${digest}`, "python-base"]) {
            expect(problems({ PYTHON_IMAGE })).toEqual([]);
        }
        // BuildKit matches the expanded name against stage names as stored, in lowercase
        // (moby/buildkit dockerfile2llb/convert.go addState): "Python-Base" names no stage.
        expect(problems({ PYTHON_IMAGE: "Python-Base" })[0]).toMatch(
            /^multicloud:appImage\.buildArgs\.PYTHON_IMAGE 'Python-Base' chooses a base image/,
        );
        // Arguments that no FROM line uses are not images.
        expect(problems({ GREETING: "hello" })).toEqual([]);
        // Attestations are chosen with appImage.sbom and appImage.provenance.
        expect(problems({ BUILDKIT_ATTEST_PROVENANCE: "mode=min" })).toEqual([
            "multicloud:appImage.buildArgs.BUILDKIT_ATTEST_PROVENANCE asks BuildKit for an attestation directly: remove it, and set multicloud:appImage.sbom or multicloud:appImage.provenance instead",
        ]);
    });

    // Rule: provenance mode=max records every build argument's value (moby/buildkit
    // solver/llbsolver/provenance.go: only min mode scrubs build-arg:*), and a secret set with
    // `pulumi config set --secret --path appImage.buildArgs.X` makes all of appImage secret.
    it("refuses max provenance when appImage holds a secret, and accepts min", () => {
        const secretConfig = (appImage: Record<string, unknown>) => {
            try {
                parseStackConfig(raw({ appImage }), NS, "dev", [`${NS}:appImage`]);
            } catch (e) {
                return (e as ConfigError).problems;
            }
            return [];
        };
        expect(secretConfig({ buildArgs: { TOKEN: "s3cr3t" } })).toEqual([
            "multicloud:appImage.provenance 'max' would record the value of the secret build argument TOKEN in the image's provenance, readable by anyone who can pull it: pass secrets as build secrets, or set multicloud:appImage.provenance to min",
        ]);
        expect(secretConfig({ buildArgs: { TOKEN: "s3cr3t" }, provenance: "min" })).toEqual([]);
        expect(secretConfig({})).toEqual([]);
    });

    it("settles the image's attestations: an SBOM and max provenance unless told otherwise", () => {
        expect(parseStackConfig(raw(), NS).appImage).toMatchObject({
            sbom: true,
            provenance: "max",
        });
        expect(
            parseStackConfig(raw({ appImage: { sbom: false, provenance: "min" } }), NS).appImage,
        ).toMatchObject({ sbom: false, provenance: "min" });
        expect(problemsOf(raw({ appImage: { provenance: "full" } }))[0]).toMatch(
            /^multicloud:appImage\.provenance must be one of "max", "min", "off"/,
        );
    });

    it("refuses a build target the Dockerfile lacks, and GKE's own ingress classes", () => {
        // BuildKit fails a build whose --target names no stage.
        expect(
            (() => {
                try {
                    parseStackConfig(raw({ appImage: { target: "nope" } }), NS, "dev", [], PROJECT);
                } catch (e) {
                    return (e as ConfigError).problems;
                }
                return [];
            })(),
        ).toEqual([
            "multicloud:appImage.target 'nope' names no stage of the Dockerfile (it has 'python-base', 'builder', 'runtime'): set multicloud:appImage.target to one of them",
        ]);
        // ingress-gce serves only Ingresses with the kubernetes.io/ingress.class annotation
        // (kubernetes/ingress-gce pkg/utils/utils.go IsGCEIngress), never ingressClassName.
        const app = { ...APP, ingress: { host: "app.example.com", className: "gce" } };
        expect(problemsOf(raw({ app }))).toEqual([
            "multicloud:app.ingress.className is GKE's own ingress controller, which ignores spec.ingressClassName: run an ingress controller in the cluster (e.g. ingress-nginx, class nginx)",
        ]);
    });

    it("refuses a wildcard or single-label host: the app's ingress host is the one name it is reached at", () => {
        // The Workload component holds the same rule (components/app/checks.ts INGRESS_HOST):
        // HTTP-01, which the app namespace admits for a clusterIssuer, cannot validate a wildcard.
        for (const host of ["*.example.com", "localhost"]) {
            const app = { ...APP, ingress: { host } };
            expect(problemsOf(raw({ app }))).toEqual([
                `multicloud:app.ingress.host must be a fully qualified DNS name such as app.example.com, got "${host}": fix it with \`pulumi config set --path app.ingress.host <value>\``,
            ]);
        }
    });
});
