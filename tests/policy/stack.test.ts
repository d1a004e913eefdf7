/** Stack policies, each with a compliant fixture and one failing variant per rule. */
import { AnalyzedResource, UNKNOWN_STRING } from "../../plan/analyzer";
import { resource, stackMessages, usePack } from "./harness";

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
