/**
 * Day-2 operations on the committed stacks: each change a team makes to a running fleet,
 * planned offline and diffed against the stack as committed (plan/diff.ts), asserting exactly
 * which resources are created, updated, replaced or deleted, and that nothing else is (no other
 * resource added, removed, changed, or given another URN). Also: planning the same stack twice
 * gives an empty diff, and no resource's name or inputs depend on the position of an item in a
 * list.
 *
 * The committed stacks come from the run's cache; each variant, and the second plan of each
 * committed stack, is planned afresh ("planned twice" means twice).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { diffPlans, PlanDiff, SavedPlan, savePlan } from "../../plan/diff";
import { PROVIDER_REPLACE_ON_CHANGE, REPLACE_ON_CHANGE } from "../../plan/replace-rules";
import { planStack, planUncached, PROJECT_DIR } from "../harness";

type Overrides = Record<string, unknown>;

const prodConfig = (
    YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8")) as {
        config: Record<string, Record<string, unknown>>;
    }
).config;
const SITES = prodConfig["multicloud:edge"].sites as Record<string, unknown>[];
const CLUSTERS = prodConfig["multicloud:gcp"].clusters as Record<string, unknown>[];
const [A, B, C] = [
    "33333333-3333-3333-3333-333333333333",
    "77777777-7777-7777-7777-777777777777",
    "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
];
const GROUP_LISTS = [
    "azure.adminGroupObjectIds",
    "azure.viewerGroupObjectIds",
    "dashboard.adminGroupObjectIds",
    "dashboard.viewerGroupObjectIds",
];
/** Every group list of prod set to `groups` (admins and viewers alike). */
const groups = (ids: string[]): Overrides =>
    Object.fromEntries(GROUP_LISTS.map((key) => [key, ids]));

const NEW_SITE = {
    name: "store-0077",
    region: "eu-west",
    distribution: "k3s",
    infrastructure: "generic",
    labels: { tier: "store" },
    kubeconfig: { secure: "v1:another-ciphertext" },
};
const NEW_CLUSTER = {
    ...CLUSTERS[0],
    name: "prod-ap",
    location: "asia-southeast1",
    masterIpv4CidrBlock: "172.16.0.32/28",
};
const NEW_IMAGE = `multicloudfleet.azurecr.io/multicloud-app@sha256:${"1".repeat(64)}`;

const CASES: Record<string, { stack: string; overrides?: Overrides }> = {
    prod: { stack: "prod" },
    prodAgain: { stack: "prod" },
    dev: { stack: "dev" },
    devAgain: { stack: "dev" },
    twoGroups: { stack: "prod", overrides: groups([A, B]) },
    groupInTheMiddle: { stack: "prod", overrides: groups([A, C, B]) },
    groupsReversed: { stack: "prod", overrides: groups([B, C, A]) },
    firstSiteRemoved: { stack: "prod", overrides: { "edge.sites": SITES.slice(1) } },
    siteAdded: { stack: "prod", overrides: { "edge.sites": [...SITES, NEW_SITE] } },
    sitesReversed: { stack: "prod", overrides: { "edge.sites": [...SITES].reverse() } },
    prodNewImage: { stack: "prod", overrides: { "app.image": NEW_IMAGE } },
    devReleased: { stack: "dev", overrides: { "appImage.build": false } },
    devReleasedNewImage: {
        stack: "dev",
        overrides: { "appImage.build": false, "app.image": NEW_IMAGE },
    },
    instanceType: { stack: "prod", overrides: { "aws.fleet.instanceType": "m7g.xlarge" } },
    rotation: { stack: "prod", overrides: { "dashboard.credentialRotation": "2026-12" } },
    clusterAdded: {
        stack: "prod",
        overrides: { "gcp.clusters": [CLUSTERS[0], NEW_CLUSTER, CLUSTERS[1]] },
    },
    clustersReversed: { stack: "prod", overrides: { "gcp.clusters": [...CLUSTERS].reverse() } },
    wafOff: { stack: "prod", overrides: { "aws.waf.enabled": false } },
    zoneRedundancyOff: { stack: "prod", overrides: { "dashboard.zoneRedundancy": false } },
    calico: { stack: "prod", overrides: { "gcp.clusters[0].networkPolicyEnforcement": "calico" } },
    otherRegion: {
        stack: "prod",
        overrides: {
            "aws.region": "us-west-2",
            "aws.loadBalancer.certificateArn": `arn:aws:acm:us-west-2:210987654321:certificate/${"1".repeat(8)}-1111-1111-1111-${"1".repeat(12)}`,
        },
    },
    wafOn: { stack: "prod", overrides: { "aws.waf.enabled": true } },
    targetHttp: { stack: "prod", overrides: { "aws.loadBalancer.targetProtocol": "HTTP" } },
    accessLogsOff: { stack: "prod", overrides: { "aws.loadBalancer.accessLogs.enabled": false } },
};

let plans: Record<string, SavedPlan>;

beforeAll(async () => {
    plans = {};
    for (const [name, { stack, overrides }] of Object.entries(CASES)) {
        // The committed stacks come from the run's cache (planned once for every suite); their
        // second plans (prodAgain, devAgain) and every variant are planned here, afresh.
        const plan =
            name === stack && !overrides
                ? await planStack(stack)
                : await planUncached(stack, overrides ?? {});
        if (plan.errors.length)
            throw new Error(`${name} does not plan:\n${plan.errors.join("\n")}`);
        plans[name] = savePlan(plan);
    }
}, 240_000);

/** `<op> <type> <name>` of every resource the diff lists, sorted; renames show as `same`. */
function changes(base: string, head: string): string[] {
    return summary(diffPlans(plans[base], plans[head]));
}

function summary(d: PlanDiff): string[] {
    return d.resources
        .map((r) => `${r.op} ${r.type} ${r.name}${r.renamedFrom ? ` (from ${r.renamedFrom})` : ""}`)
        .sort();
}

const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";

describe("the same commit planned twice", () => {
    it.each([
        ["prod", "prodAgain"],
        ["dev", "devAgain"],
    ])("%s: an empty diff, outputs included", (a, b) => {
        const d = diffPlans(plans[a], plans[b]);
        expect(d.resources).toEqual([]);
        expect(d.outputs).toEqual([]);
        expect(d.summary.unchanged).toBe(plans[a].resources.length);
    });

    it("keeps every resource's inputs free of time, randomness and iteration order", () => {
        // Each resource the same, byte for byte (inputs, options, dependencies), not only an
        // empty diff. (Registration order may vary with the timing of asynchronous work; the
        // engine, like the diff, matches resources by URN.)
        const byUrn = (p: SavedPlan) =>
            Object.fromEntries(p.resources.map((r) => [r.urn, JSON.stringify(r)]));
        expect(byUrn(plans.prodAgain)).toEqual(byUrn(plans.prod));
        expect(JSON.stringify(plans.prodAgain.outputs)).toBe(JSON.stringify(plans.prod.outputs));
    });
});

describe("day-2 changes touch only what they must", () => {
    it("a group added in the middle of each group list: its role assignments only", () => {
        // Named by object id, never by position: C between A and B moves B, and changes nothing.
        expect(changes("twoGroups", "groupInTheMiddle")).toEqual(
            [
                // Arc: cluster admin (admins), viewer (viewers), and cluster user for both.
                `create ${ROLE_ASSIGNMENT} arc-governance-admins-${C}`,
                `create ${ROLE_ASSIGNMENT} arc-governance-viewers-${C}`,
                `create ${ROLE_ASSIGNMENT} arc-governance-users-${C}`,
                // Grafana Admin and Grafana Viewer on the workspace.
                `create ${ROLE_ASSIGNMENT} fleet-dashboard-admin-${C}`,
                `create ${ROLE_ASSIGNMENT} fleet-dashboard-viewer-${C}`,
            ].sort(),
        );
    });

    it("the first edge site removed: that site's resources only", () => {
        const site = "store-0042";
        expect(changes("prod", "firstSiteRemoved")).toEqual(
            [
                `delete multicloud:edge:EdgeCluster ${site}`,
                `delete pulumi:providers:kubernetes ${site}-k8s`,
                `delete tls:index/privateKey:PrivateKey ${site}-agent-key`,
                `delete azure-native:kubernetes:ConnectedCluster ${site}`,
                `delete ${ROLE_ASSIGNMENT} ${site}-guard-checkaccess`,
                `delete kubernetes:helm.sh/v3:Release ${site}-arc-agents`,
                `delete multicloud:app:RegistryPullSecret ${site}-pull`,
                `delete pulumi:providers:kubernetes ${site}-pull-k8s`,
                `delete kubernetes:core/v1:Namespace ${site}-pull-ns`,
                `delete kubernetes:core/v1:Secret ${site}-pull`,
            ].sort(),
        );
        // The app namespace is retained (GitOps may own it): Pulumi only forgets it.
        const ns = diffPlans(plans.prod, plans.firstSiteRemoved).resources.find(
            (r) => r.name === `${site}-pull-ns`,
        );
        expect(ns?.warnings).toEqual([
            "retainOnDelete: Pulumi forgets it and leaves it where it is",
        ]);
    });

    it("a site added: that site's resources only", () => {
        const site = NEW_SITE.name;
        expect(changes("prod", "siteAdded")).toEqual(
            [
                `create multicloud:edge:EdgeCluster ${site}`,
                `create pulumi:providers:kubernetes ${site}-k8s`,
                `create tls:index/privateKey:PrivateKey ${site}-agent-key`,
                `create azure-native:kubernetes:ConnectedCluster ${site}`,
                `create ${ROLE_ASSIGNMENT} ${site}-guard-checkaccess`,
                `create kubernetes:helm.sh/v3:Release ${site}-arc-agents`,
                `create multicloud:app:RegistryPullSecret ${site}-pull`,
                `create pulumi:providers:kubernetes ${site}-pull-k8s`,
                `create kubernetes:core/v1:Namespace ${site}-pull-ns`,
                `create kubernetes:core/v1:Secret ${site}-pull`,
            ].sort(),
        );
    });

    it("a new app.image digest: the instances' launch template and the Deployments, in place", () => {
        // Dev running the released image (appImage.build false): the launch template's user
        // data, whose new version the Auto Scaling group follows (an instance refresh rolls the
        // fleet), and each GKE Deployment's container image; nothing replaced.
        const d = diffPlans(plans.devReleased, plans.devReleasedNewImage);
        expect(summary(d)).toEqual([
            "update aws:autoscaling/group:Group app-asg",
            "update aws:ec2/launchTemplate:LaunchTemplate app-lt",
            "update kubernetes:apps/v1:Deployment dev-gke-app-deployment-app",
        ]);
        const deployment = d.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
        expect(deployment.changes).toEqual([
            {
                path: "spec.template.spec.containers[0].image",
                old: `multicloudfleet.azurecr.io/multicloud-app@sha256:${"0".repeat(64)}`,
                new: NEW_IMAGE,
            },
        ]);
        expect(d.resources.find((r) => r.name === "app-lt")!.changes.map((c) => c.path)).toEqual([
            "userData",
        ]);
        // Prod builds its own image: the released one only reaches the GitOps manifests
        // (`npm run gitops`) and the stack output.
        const prod = diffPlans(plans.prod, plans.prodNewImage);
        expect(prod.resources).toEqual([]);
        expect(prod.outputs.map((o) => o.path)).toEqual(["app.releasedImage"]);
    });

    it("a new instance type: a new launch template version, which the group rolls out", () => {
        // instanceType is an update of a launch template, not ForceNew; the update recomputes
        // latestVersion, which the group's launchTemplate.version reads
        // (plan/replace-rules.ts RECOMPUTED_ON_UPDATE).
        const d = diffPlans(plans.prod, plans.instanceType);
        expect(summary(d)).toEqual([
            "update aws:autoscaling/group:Group app-asg",
            "update aws:ec2/launchTemplate:LaunchTemplate app-lt",
        ]);
        const of = (name: string) => d.resources.find((r) => r.name === name)!;
        expect(of("app-lt").changes).toEqual([
            { path: "instanceType", old: "m7g.large", new: "m7g.xlarge" },
        ]);
        expect(of("app-asg").changes).toEqual([
            {
                path: "launchTemplate",
                computedFrom: of("app-lt").urn,
                computedWhy: "whose latestVersion an update recomputes",
            },
        ]);
    });

    it("a credential rotation: both read-only keys replaced, their data sources updated", () => {
        const d = diffPlans(plans.prod, plans.rotation);
        expect(summary(d)).toEqual([
            "replace aws:iam/accessKey:AccessKey dashboard-cloudwatch-key",
            "replace gcp:serviceaccount/key:Key dashboard-monitoring-key",
            "update grafana:oss/dataSource:DataSource fleet-dashboard-fleet-cloud-monitoring",
            "update grafana:oss/dataSource:DataSource fleet-dashboard-fleet-cloudwatch",
        ]);
        const of = (name: string) => d.resources.find((r) => r.name === name)!;
        // The AWS key through its replacementTrigger option, the Google key because keepers
        // is ForceNew...
        expect(of("dashboard-cloudwatch-key").replaceReasons).toEqual([
            "its replacementTrigger changes",
        ]);
        expect(of("dashboard-monitoring-key").replaceReasons).toEqual(["keepers.rotation changes"]);
        // ...and each data source gets its new key, known once the key exists.
        for (const [source, key] of [
            ["fleet-dashboard-fleet-cloudwatch", "dashboard-cloudwatch-key"],
            ["fleet-dashboard-fleet-cloud-monitoring", "dashboard-monitoring-key"],
        ]) {
            const changes = of(source).changes;
            expect(changes.length).toBeGreaterThan(0);
            expect(changes.every((c) => c.computedFrom === of(key).urn)).toBe(true);
        }
        // No key material in the diff.
        expect(JSON.stringify(d)).not.toMatch(/PRIVATE KEY|mock-secret-of/);
    });

    it("a GKE cluster added in the middle of the list: the new cluster's resources only", () => {
        const created = changes("prod", "clusterAdded");
        expect(created.every((c) => c.startsWith("create "))).toBe(true);
        // Everything is named by the cluster, or by its region's NAT.
        const stray = created.filter(
            (c) => !/ (prod-ap|nat-default-asia-southeast1|config-sync-prod-ap)/.test(c),
        );
        expect(stray).toEqual([]);
        for (const type of [
            "gcp:container/cluster:Cluster prod-ap",
            "gcp:container/nodePool:NodePool prod-ap-nodes",
            "gcp:gkehub/membership:Membership prod-ap",
            "gcp:gkehub/featureMembership:FeatureMembership config-sync-prod-ap",
            "gcp:compute/routerNat:RouterNat nat-default-asia-southeast1-nat",
            "kubernetes:apps/v1:Deployment prod-ap-app-deployment-app",
        ]) {
            expect(created).toContain(`create ${type}`);
        }
    });

    it("WAF disabled, then enabled again: its five resources go, then come back as they were", () => {
        const waf = [
            "multicloud:aws:WebAcl app-waf",
            "aws:cloudwatch/logGroup:LogGroup app-waf-logs",
            "aws:wafv2/webAcl:WebAcl app-waf",
            "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration app-waf-logging",
            "aws:wafv2/webAclAssociation:WebAclAssociation app-waf-alb",
        ];
        // The dashboard's WAF panel follows the web ACL's name.
        const dashboard = "update grafana:oss/dashboard:Dashboard fleet-dashboard-multicloud-fleet";
        expect(changes("prod", "wafOff")).toEqual(
            [...waf.map((w) => `delete ${w}`), dashboard].sort(),
        );
        expect(changes("wafOff", "wafOn")).toEqual(
            [...waf.map((w) => `create ${w}`), dashboard].sort(),
        );
        expect(diffPlans(plans.prod, plans.wafOn).resources).toEqual([]);
    });
});

describe("changes that replace more than they touch, and what they run into", () => {
    it("zone redundancy: the Grafana workspace and everything in it, deleted first", () => {
        // properties.zoneRedundancy is replaceOnChanges (the SDK sends it); azure-native deletes
        // before it replaces; the role assignments on the workspace follow its id; the Grafana
        // objects are deletedWith the workspace, which the engine replaces with it.
        const d = diffPlans(plans.prod, plans.zoneRedundancyOff);
        const of = (name: string) => d.resources.find((r) => r.name === name)!;
        expect(of("fleet-dashboard").op).toBe("replace");
        expect(of("fleet-dashboard").deleteBeforeReplace).toBe(true);
        for (const name of [
            "fleet-dashboard-folder",
            "fleet-dashboard-fleet-azure-monitor",
            "fleet-dashboard-fleet-cloudwatch",
            "fleet-dashboard-fleet-cloud-monitoring",
            "fleet-dashboard-multicloud-fleet",
        ]) {
            expect(of(name).replaceReasons).toEqual([
                "it is deleted with fleet-dashboard, which is replaced (deletedWith)",
            ]);
        }
        // The dashboard keeps its uid: created first, the new one would be deleted with the old.
        expect(of("fleet-dashboard-multicloud-fleet").deleteBeforeReplace).toBe(true);
        expect(summary(d).filter((r) => r.startsWith("replace")).length).toBe(10);
        expect(summary(d).filter((r) => !r.startsWith("replace"))).toEqual([
            "update pulumi:providers:grafana fleet-dashboard-grafana",
        ]);
    });

    it("another AWS region: every regional AWS resource replaced, IAM updated at most", () => {
        const d = diffPlans(plans.prod, plans.otherRegion);
        const aws = d.resources.filter((r) => r.type.startsWith("aws:"));
        expect(
            aws.filter((r) => r.type.startsWith("aws:iam/")).every((r) => r.op !== "replace"),
        ).toBe(true);
        const regional = plans.prod.resources.filter(
            (r) => r.type.startsWith("aws:") && !r.type.startsWith("aws:iam/"),
        );
        expect(aws.filter((r) => r.op === "replace").length).toBe(regional.length);
        // Prod's load balancer has deletion protection: the replacement cannot delete it.
        const alb = d.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")!;
        expect(alb.warnings?.[0]).toContain("enableDeletionProtection is true");
    });

    it("another target protocol: the target group replaced, created first, and the fleet rolled", () => {
        // protocol is ForceNew (terraform-provider-aws elbv2/target_group.go); the group is
        // autonamed, so the new one is created before the old one is deleted. The listener,
        // the Auto Scaling group and the unhealthy-hosts alarm follow its new ARN; the user data
        // changes (no TLS setup), so the template gets a new version and the group rolls.
        const d = diffPlans(plans.targetHttp, plans.prod);
        const of = (name: string) => d.resources.find((r) => r.name === name)!;
        expect(summary(d)).toEqual([
            "replace aws:lb/targetGroup:TargetGroup app-tg",
            // The dashboard's healthy-hosts panel names the group (its TargetGroup dimension).
            "replace grafana:oss/dashboard:Dashboard fleet-dashboard-multicloud-fleet",
            "update aws:autoscaling/group:Group app-asg",
            "update aws:cloudwatch/metricAlarm:MetricAlarm app-unhealthy-hosts",
            "update aws:ec2/launchTemplate:LaunchTemplate app-lt",
            "update aws:lb/listener:Listener app-https",
        ]);
        expect(of("app-tg").replaceReasons).toEqual(["protocol changes"]);
        expect(of("app-tg").deleteBeforeReplace).toBeFalsy();
        expect(of("app-lt").changes.map((c) => c.path)).toEqual(["userData"]);
        // And back: the same resources, the other way.
        expect(changes("prod", "targetHttp")).toEqual(summary(d));
    });

    it("access logs switched off: the bucket and its settings are forgotten, not deleted; the load balancer is updated", () => {
        expect(changes("prod", "accessLogsOff")).toEqual(
            [
                "delete multicloud:aws:AccessLogBucket app-alb-logs",
                "delete aws:s3/bucket:Bucket app-alb-logs",
                "delete aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock app-alb-logs-public-access",
                "delete aws:s3/bucketOwnershipControls:BucketOwnershipControls app-alb-logs-ownership",
                "delete aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration app-alb-logs-encryption",
                "delete aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration app-alb-logs-lifecycle",
                "delete aws:s3/bucketPolicy:BucketPolicy app-alb-logs-policy",
                "update aws:lb/loadBalancer:LoadBalancer app-alb",
            ].sort(),
        );
        // The logs are kept: every S3 resource is only forgotten (retainOnDelete), so the
        // delete never meets S3's BucketNotEmpty, and the bucket keeps its protections.
        const s3 = diffPlans(plans.prod, plans.accessLogsOff).resources.filter((r) =>
            r.type.startsWith("aws:s3/"),
        );
        expect(s3).toHaveLength(6);
        for (const r of s3) {
            expect([r.name, r.warnings]).toEqual([
                r.name,
                ["retainOnDelete: Pulumi forgets it and leaves it where it is"],
            ]);
        }
    });

    it("calico instead of Dataplane V2: the cluster is updated, not replaced", () => {
        // datapathProvider is ForceNew but Optional + Computed: no longer setting it is no change
        // (terraform-plugin-sdk schema.go diffString), the cluster keeps its datapath.
        const d = diffPlans(plans.prod, plans.calico);
        expect(summary(d)).toEqual(["update gcp:container/cluster:Cluster prod-eu"]);
        expect(d.resources[0].changes.map((c) => c.path)).not.toContain("datapathProvider");
    });
});

describe("plan/replace-rules.ts", () => {
    it("has reviewed every resource and provider type the stacks register", () => {
        // A new type must get its entry (its ForceNew inputs, each with its source, or []):
        // otherwise a change that replaces it would show as an update.
        const types = new Set(
            Object.values(plans).flatMap((p) =>
                p.resources.filter((r) => r.custom).map((r) => r.type),
            ),
        );
        const missing = [...types].filter((t) =>
            t.startsWith("pulumi:providers:")
                ? !(t in PROVIDER_REPLACE_ON_CHANGE)
                : !(t in REPLACE_ON_CHANGE),
        );
        expect(missing).toEqual([]);
    });
});

describe("no resource depends on the position of an item in a list", () => {
    it.each([
        ["groups", "groupInTheMiddle", "groupsReversed"],
        ["edge sites", "prod", "sitesReversed"],
        ["GKE clusters", "prod", "clustersReversed"],
    ])("%s in another order: the same resources, URNs and inputs", (_what, a, b) => {
        const d = diffPlans(plans[a], plans[b]);
        expect(d.resources).toEqual([]);
        expect(plans[b].resources.map((r) => r.urn).sort()).toEqual(
            plans[a].resources.map((r) => r.urn).sort(),
        );
    });
});
