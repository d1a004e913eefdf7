/** Stack policies, each with a compliant fixture and one failing variant per rule. */
import { stackPolicyConfigPath } from "../../policy/config";
import { AnalyzedResource, UNKNOWN_STRING } from "../../plan/analyzer";
import { runGate, violationText } from "../../plan/gate";
import type { PlanResult } from "../../plan/run";
import { one, planStack, PROJECT_DIR } from "../harness";
import { PACK_DIR, resource, stackMessages, usePack } from "./harness";

const pack = usePack();

/** The URNs each diagnostic of `policy` names. */
async function urns(policy: string, resources: AnalyzedResource[]): Promise<string[]> {
    return (await pack().analyzeStack(resources))
        .filter((d) => d.policyName === policy)
        .map((d) => d.urn);
}

describe("aws-asg-target-tracking", () => {
    const policy = "aws-asg-target-tracking";
    const group = resource("aws:autoscaling/group:Group", "app-asg", {
        name: "app-asg-20250101",
        minSize: 2,
        maxSize: 6,
    });
    const scaling = (name: string, props: Record<string, unknown>, dependsOnGroup = true) =>
        resource(
            "aws:autoscaling/policy:Policy",
            name,
            { autoscalingGroupName: "app-asg-20250101", ...props },
            dependsOnGroup ? { dependencies: [group.urn] } : {},
        );
    const tracking = {
        policyType: "TargetTrackingScaling",
        targetTrackingConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
            targetValue: 60,
        },
    };
    const fix = `so its capacity does not follow load: add an aws.autoscaling.Policy with policyType "TargetTrackingScaling", autoscalingGroupName set to the group's name and a targetTrackingConfiguration (for example ASGAverageCPUUtilization with a targetValue), or set minSize equal to maxSize if the group is meant to stay at a fixed size.`;
    const withProps = (props: Record<string, unknown>) => ({
        ...group,
        properties: { ...group.properties, ...props },
    });
    const tag = (key: string, value = "true") => ({ key, value, propagateAtLaunch: true });

    it("passes a group with a predictive scaling policy", async () => {
        expect(
            await stackMessages(pack(), policy, [
                group,
                scaling("app-predictive", {
                    policyType: "PredictiveScaling",
                    predictiveScalingConfiguration: {
                        metricSpecification: {
                            targetValue: 40,
                            predefinedMetricPairSpecification: {
                                predefinedMetricType: "ASGCPUUtilization",
                            },
                        },
                    },
                }),
            ]),
        ).toEqual([]);
    });

    it("passes a fixed-size group and groups scaled from outside the stack", async () => {
        expect(
            await stackMessages(pack(), policy, [withProps({ minSize: 3, maxSize: 3 })]),
        ).toEqual([]);
        for (const key of [
            "k8s.io/cluster-autoscaler/enabled",
            "karpenter.sh/discovery",
            "eks:nodegroup-name",
            "AmazonECSManaged",
        ]) {
            expect(
                await stackMessages(pack(), policy, [
                    withProps({ tags: [tag("Environment", "dev"), tag(key)] }),
                ]),
            ).toEqual([]);
        }
        // Tags computed from other resources may exempt the group: checked once known.
        expect(await stackMessages(pack(), policy, [withProps({ tags: UNKNOWN_STRING })])).toEqual(
            [],
        );
    });

    it("flags a group whose size bounds differ or are not known, and one with unrelated tags", async () => {
        const none = `Auto Scaling group 'app-asg' has no target tracking or predictive scaling policy (no scaling policy refers to it), ${fix}`;
        expect(
            await stackMessages(pack(), policy, [
                withProps({ minSize: 2, maxSize: UNKNOWN_STRING }),
            ]),
        ).toEqual([none]);
        expect(
            await stackMessages(pack(), policy, [
                withProps({ tags: [tag("k8s.io/cluster-autoscaler/fleet", "owned")] }),
            ]),
        ).toEqual([none]);
    });

    it("passes a group with a target tracking policy that depends on it (as AsgFleet creates it, names unknown during preview)", async () => {
        expect(
            await stackMessages(pack(), policy, [
                { ...group, properties: { ...group.properties, name: UNKNOWN_STRING } },
                scaling("app-cpu-target", { ...tracking, autoscalingGroupName: UNKNOWN_STRING }),
            ]),
        ).toEqual([]);
    });

    it("passes a group whose target tracking policy names it without a dependency", async () => {
        expect(
            await stackMessages(pack(), policy, [
                group,
                scaling("app-cpu-target", tracking, false),
            ]),
        ).toEqual([]);
    });

    it("flags a group without any scaling policy, on the group's URN", async () => {
        const other = scaling(
            "other-cpu-target",
            { ...tracking, autoscalingGroupName: "other-asg" },
            false,
        );
        expect(await stackMessages(pack(), policy, [group, other])).toEqual([
            `Auto Scaling group 'app-asg' has no target tracking or predictive scaling policy (no scaling policy refers to it), ${fix}`,
        ]);
        expect(await urns(policy, [group, other])).toEqual([group.urn]);
    });

    it("flags a group whose scaling policies do not track a target", async () => {
        expect(
            await stackMessages(pack(), policy, [
                group,
                scaling("app-step", { policyType: "StepScaling" }),
                scaling("app-simple", { scalingAdjustment: 1 }, false),
            ]),
        ).toEqual([
            `Auto Scaling group 'app-asg' has no target tracking or predictive scaling policy (its scaling policies ('app-step': StepScaling, 'app-simple': SimpleScaling) neither track a target nor predict load), ${fix}`,
        ]);
    });
});

describe("fleet-cluster-registered", () => {
    const policy = "fleet-cluster-registered";
    const clusterId = "projects/fleet-prod/locations/us-central1/clusters/gke-us";
    const gke = resource("gcp:container/cluster:Cluster", "gke-us", {
        project: "fleet-prod",
        location: "us-central1",
        name: "gke-us",
    });
    const membership = (props: Record<string, unknown>, dependencies: string[] = []) =>
        resource(
            "gcp:gkehub/membership:Membership",
            "gke-us",
            { project: "fleet-prod", membershipId: "gke-us", location: "global", ...props },
            { dependencies },
        );
    const eks = resource("aws:eks/cluster:Cluster", "eks-east", { name: "eks-east" });
    const aks = resource("azure-native:containerservice:ManagedCluster", "aks-west", {
        resourceName: "aks-west",
    });
    const aksVersioned = resource(
        "azure-native:containerservice/v20240801:ManagedCluster",
        "aks-north",
        { resourceName: "aks-north" },
    );
    const attached = (on: AnalyzedResource) =>
        resource(
            "gcp:container/attachedCluster:AttachedCluster",
            on.name,
            { name: on.name, location: "us-west1", distribution: "eks" },
            { dependencies: [on.urn] },
        );
    const connected = (on: AnalyzedResource) =>
        resource(
            "azure-native:kubernetes:ConnectedCluster",
            on.name,
            { clusterName: on.name, resourceGroupName: "fleet" },
            { dependencies: [on.urn] },
        );
    const gkeFix = `so fleet features (Config Sync, fleet Workload Identity) never reach it: set fleet to { project: "<fleet host project>" } on the cluster, or register it with HubMembership (kind "gke", clusterId set to the cluster's id), which creates a gcp.gkehub.Membership with endpoint.gkeCluster.resourceLink "//container.googleapis.com/<cluster id>".`;
    const unregistered = `GKE cluster 'gke-us' is not registered in the fleet (no fleet.project, and no gkehub Membership depends on it or links to it), ${gkeFix}`;

    it("passes a GKE cluster that registers itself with fleet.project, also one not known yet", async () => {
        for (const project of ["projects/123456789012", "fleet-host", UNKNOWN_STRING]) {
            expect(
                await stackMessages(pack(), policy, [
                    { ...gke, properties: { ...gke.properties, fleet: { project } } },
                ]),
            ).toEqual([]);
        }
    });

    it("flags a GKE cluster whose fleet block names no project", async () => {
        expect(
            await stackMessages(pack(), policy, [
                {
                    ...gke,
                    properties: { ...gke.properties, fleet: { membershipType: "LIGHTWEIGHT" } },
                },
            ]),
        ).toEqual([unregistered]);
    });

    it("passes a GKE cluster whose membership depends on it (as HubMembership creates it, link unknown during preview)", async () => {
        expect(
            await stackMessages(pack(), policy, [
                gke,
                membership({ endpoint: { gkeCluster: { resourceLink: UNKNOWN_STRING } } }, [
                    gke.urn,
                ]),
            ]),
        ).toEqual([]);
    });

    it("passes a GKE cluster whose membership links to its id or name without a dependency", async () => {
        const link = {
            endpoint: { gkeCluster: { resourceLink: `//container.googleapis.com/${clusterId}` } },
        };
        expect(
            await stackMessages(pack(), policy, [
                { ...gke, properties: { ...gke.properties, id: clusterId } },
                membership(link),
            ]),
        ).toEqual([]);
        expect(await stackMessages(pack(), policy, [gke, membership(link)])).toEqual([]);
    });

    it("passes EKS and AKS clusters attached to the GKE fleet or connected to Azure Arc", async () => {
        expect(
            await stackMessages(pack(), policy, [
                eks,
                attached(eks),
                aks,
                connected(aks),
                aksVersioned,
                membership({}, [aksVersioned.urn]),
            ]),
        ).toEqual([]);
    });

    it("flags a GKE cluster without a membership, on the cluster's URN", async () => {
        const elsewhere = membership({
            endpoint: {
                gkeCluster: {
                    resourceLink:
                        "//container.googleapis.com/projects/fleet-prod/locations/europe-west1/clusters/gke-eu",
                },
            },
        });
        expect(await stackMessages(pack(), policy, [gke, elsewhere])).toEqual([unregistered]);
        expect(await urns(policy, [gke, elsewhere])).toEqual([gke.urn]);
    });

    it("flags EKS and AKS clusters nothing registers, on each cluster's URN", async () => {
        // Registrations of other clusters do not count.
        const other = resource("aws:eks/cluster:Cluster", "eks-other", { name: "eks-other" });
        const resources = [eks, aks, aksVersioned, other, attached(other), connected(other)];
        expect(await stackMessages(pack(), policy, resources)).toEqual([
            `EKS cluster 'eks-east' is not registered in the fleet (no GKE attached cluster, Azure Arc connected cluster or gkehub Membership depends on it), so fleet features never reach it: register it with a gcp.container.AttachedCluster (distribution "eks", oidcConfig.issuerUrl from the cluster's identities[0].oidcs[0].issuer) or connect it to Azure Arc with an azure-native.kubernetes.ConnectedCluster, built from the cluster's outputs or with dependsOn set to the cluster so the registration depends on it.`,
            `AKS cluster 'aks-west' is not registered in the fleet (no GKE attached cluster, Azure Arc connected cluster or gkehub Membership depends on it), so fleet features never reach it: register it with a gcp.container.AttachedCluster (distribution "aks", oidcConfig.issuerUrl from the cluster's oidcIssuerProfile.issuerURL) or connect it to Azure Arc with an azure-native.kubernetes.ConnectedCluster, built from the cluster's outputs or with dependsOn set to the cluster so the registration depends on it.`,
            `AKS cluster 'aks-north' is not registered in the fleet (no GKE attached cluster, Azure Arc connected cluster or gkehub Membership depends on it), so fleet features never reach it: register it with a gcp.container.AttachedCluster (distribution "aks", oidcConfig.issuerUrl from the cluster's oidcIssuerProfile.issuerURL) or connect it to Azure Arc with an azure-native.kubernetes.ConnectedCluster, built from the cluster's outputs or with dependsOn set to the cluster so the registration depends on it.`,
        ]);
        expect(await urns(policy, resources)).toEqual([eks.urn, aks.urn, aksVersioned.urn]);
    });
});

describe("aws-alb-web-acl", () => {
    const policy = "aws-alb-web-acl";
    const arnOf = (name: string) =>
        `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${name}/0123456789abcdef`;
    const alb = (name: string, props: Record<string, unknown> = {}) =>
        resource("aws:lb/loadBalancer:LoadBalancer", name, {
            name,
            internal: false,
            loadBalancerType: "application",
            arn: arnOf(name),
            ...props,
        });
    const app = alb("app-alb");
    /** An association; `from` are the URNs its resourceArn was computed from, as the engine says. */
    const association = (
        resourceArn: string,
        from?: string[],
        extra: Partial<AnalyzedResource> = {},
    ) =>
        resource(
            "aws:wafv2/webAclAssociation:WebAclAssociation",
            "app-waf",
            {
                resourceArn,
                webAclArn:
                    "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/app-waf/00000000-0000-4000-8000-000000000000",
            },
            {
                ...(from ? { propertyDependencies: { resourceArn: from, webAclArn: [] } } : {}),
                ...extra,
            },
        );
    const unprotected = (name: string) =>
        `Application Load Balancer '${name}' is internet-facing and no AWS WAF web ACL protects it (no aws.wafv2.WebAclAssociation has its ARN as resourceArn), so every request reaches its listeners unfiltered: attach an aws.wafv2.WebAcl with an aws.wafv2.WebAclAssociation whose resourceArn is the load balancer's arn (in this blueprint, set multicloud:aws.waf.enabled to true), or set internal to true if the load balancer need not be reachable from the internet.`;

    it("passes an internet-facing ALB whose web ACL association names its ARN", async () => {
        expect(
            await stackMessages(pack(), policy, [app, association(app.properties.arn as string)]),
        ).toEqual([]);
    });

    it("passes an ALB whose association's resourceArn is computed from it (a preview, ARNs unknown)", async () => {
        const created = alb("app-alb", { arn: UNKNOWN_STRING });
        expect(
            await stackMessages(pack(), policy, [
                created,
                association(UNKNOWN_STRING, [created.urn]),
            ]),
        ).toEqual([]);
    });

    it("passes an ALB as the offline plan sends it (inputs only, so no arn) when the association's resourceArn is computed from it", async () => {
        const planned = alb("app-alb", { arn: undefined });
        expect(
            await stackMessages(pack(), policy, [
                planned,
                association(arnOf("app-alb-1a2b3c4"), [planned.urn]),
            ]),
        ).toEqual([]);
    });

    it("passes the alias type, with loadBalancerType and internal left to the provider's defaults", async () => {
        const aliased = resource("aws:alb/loadBalancer:LoadBalancer", "legacy-alb", {
            name: "legacy-alb",
            arn: arnOf("legacy-alb"),
        });
        expect(
            await stackMessages(pack(), policy, [aliased, association(arnOf("legacy-alb"))]),
        ).toEqual([]);
        expect(await stackMessages(pack(), policy, [aliased])).toEqual([unprotected("legacy-alb")]);
    });

    it("passes internal ALBs, Network and Gateway Load Balancers, and a scheme not known yet", async () => {
        expect(
            await stackMessages(pack(), policy, [
                alb("internal-alb", { internal: true }),
                alb("nlb", { loadBalancerType: "network" }),
                alb("gwlb", { loadBalancerType: "gateway" }),
                alb("later-alb", { internal: UNKNOWN_STRING }),
            ]),
        ).toEqual([]);
    });

    it("ships as advisory", async () => {
        const info = await pack().info();
        expect(info.policies.find((p) => p.name === policy)?.enforcementLevel).toBe("advisory");
        expect(
            (await pack().analyzeStack([app])).filter((d) => d.policyName === policy),
        ).toMatchObject([{ enforcementLevel: "advisory", urn: app.urn }]);
    });

    it("flags an internet-facing ALB without a web ACL association, on the load balancer's URN", async () => {
        expect(await stackMessages(pack(), policy, [app])).toEqual([unprotected("app-alb")]);
        expect(await urns(policy, [app])).toEqual([app.urn]);
    });

    it("flags an ALB when the only association protects another load balancer", async () => {
        const other = alb("other-alb");
        expect(
            await stackMessages(pack(), policy, [app, other, association(arnOf("other-alb"))]),
        ).toEqual([unprotected("app-alb")]);
        // As the offline plan sends them: no arns, resourceArn computed from the other one.
        const planned = alb("app-alb", { arn: undefined });
        const otherPlanned = alb("other-alb", { arn: undefined });
        expect(
            await stackMessages(pack(), policy, [
                planned,
                otherPlanned,
                association(arnOf("other-alb"), [otherPlanned.urn]),
            ]),
        ).toEqual([unprotected("app-alb")]);
    });

    it("flags an ALB whose association merely depends on it (dependsOn), its resourceArn not known or computed from nothing", async () => {
        const created = alb("app-alb", { arn: UNKNOWN_STRING });
        expect(
            await stackMessages(pack(), policy, [
                created,
                association(UNKNOWN_STRING, [], { dependencies: [created.urn] }),
            ]),
        ).toEqual([unprotected("app-alb")]);
        // Without any property dependencies, as an analyzer that sends none would see it.
        const planned = alb("app-alb", { arn: undefined });
        expect(
            await stackMessages(pack(), policy, [
                planned,
                association(arnOf("app-alb-1a2b3c4"), undefined, {
                    dependencies: [planned.urn],
                }),
            ]),
        ).toEqual([unprotected("app-alb")]);
    });

    it("flags an ALB during a preview when the association's resourceArn is computed from another one", async () => {
        const created = alb("app-alb", { arn: UNKNOWN_STRING });
        const other = alb("other-alb", { arn: UNKNOWN_STRING });
        // The association depends on both (dependsOn), but its resourceArn comes from the other.
        const linked = association(UNKNOWN_STRING, [other.urn], {
            dependencies: [created.urn, other.urn],
        });
        expect(await stackMessages(pack(), policy, [created, other, linked])).toEqual([
            unprotected("app-alb"),
        ]);
    });

    describe("on the offline plan of the prod stack", () => {
        const ALB = "aws:lb/loadBalancer:LoadBalancer";
        const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
        /** The gate as `npm run plan -- --stack prod` runs it: prod's policy config (all mandatory). */
        const gate = (plan: PlanResult) =>
            runGate(plan, {
                packDir: PACK_DIR,
                configFile: stackPolicyConfigPath(PROJECT_DIR, "prod"),
            });

        it("records the association's resourceArn as computed from the ALB, and the gate finds no violation", async () => {
            const plan = await planStack("prod");
            expect(plan.errors).toEqual([]);
            const lb = one(plan, ALB, "app-alb");
            const waf = one(plan, ASSOCIATION, "app-waf-alb");
            expect(waf.propertyDependencies.resourceArn).toContain(lb.urn);
            // Inputs only: the ALB's arn is an output, so the policy has property dependencies to go by.
            expect(lb.inputs.arn).toBeUndefined();
            const verdict = await gate(plan);
            expect(verdict.diagnostics.filter((d) => d.policyName === policy)).toEqual([]);
        }, 120_000);

        it("reports the ALB as a mandatory violation, with the exact message, when aws.waf.enabled is false", async () => {
            const plan = await planStack("prod", { "aws.waf.enabled": false });
            expect(plan.errors).toEqual([]);
            expect(plan.resources.filter((r) => r.type === ASSOCIATION)).toEqual([]);
            const lb = one(plan, ALB, "app-alb");
            const found = (await gate(plan)).diagnostics.filter((d) => d.policyName === policy);
            expect(found.map((d) => [d.enforcementLevel, d.urn, violationText(d)])).toEqual([
                ["mandatory", lb.urn, unprotected("app-alb")],
            ]);
        }, 120_000);
    });
});
