import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isRecord, known, list, read, UNKNOWN } from "../types";

const ASG = "aws:autoscaling/group:Group";
const SCALING_POLICY = "aws:autoscaling/policy:Policy";
/** The policy types that make capacity follow load (aws autoscaling/policy.d.ts policyType). */
const LOAD_FOLLOWING = ["TargetTrackingScaling", "PredictiveScaling"];

/**
 * Tags that hand a group's capacity to something outside the stack: the Kubernetes cluster
 * autoscaler (auto-discovery tag), Karpenter, EKS managed node groups, and ECS capacity
 * providers (`AmazonECSManaged`, which the aws SDK's GroupTag documents).
 */
function scaledElsewhere(key: string): boolean {
    return (
        key === "k8s.io/cluster-autoscaler/enabled" ||
        key.startsWith("karpenter.sh/") ||
        key === "eks:nodegroup-name" ||
        key === "AmazonECSManaged"
    );
}

/** The tag keys of a group; UNKNOWN when the tags, or one key, are not known yet. */
function tagKeys(group: PolicyResource): string[] | typeof UNKNOWN {
    const tags = read(group.props, "tags");
    if (tags === UNKNOWN) return UNKNOWN;
    const keys: string[] = [];
    for (const tag of list(tags)) {
        const key = known(() => (isRecord(tag) ? tag.key : undefined));
        if (key === UNKNOWN) return UNKNOWN;
        if (typeof key === "string") keys.push(key);
    }
    return keys;
}

/** Whether `policy` scales `group`: it depends on the group, or names it. */
function scales(policy: PolicyResource, group: PolicyResource): boolean {
    if (policy.dependencies.some((d) => d.urn === group.urn)) return true;
    const target = read(policy.props, "autoscalingGroupName");
    const name = read(group.props, "name");
    return typeof target === "string" && target !== "" && target === name;
}

export const awsAsgTargetTracking: StackValidationPolicy = {
    name: "aws-asg-target-tracking",
    description:
        "Every AWS Auto Scaling group must have a target tracking or predictive scaling policy (policyType TargetTrackingScaling or PredictiveScaling), so its capacity follows load instead of staying at a fixed size. Fixed-size groups (minSize equal to maxSize) and groups scaled from outside the stack (tagged k8s.io/cluster-autoscaler/enabled, karpenter.sh/*, eks:nodegroup-name or AmazonECSManaged) are exempt.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const policies = args.resources.filter((r) => r.type === SCALING_POLICY);
        for (const group of args.resources.filter((r) => r.type === ASG)) {
            // Tags computed from other resources may hold an exempting key: checked once known.
            const keys = tagKeys(group);
            if (keys === UNKNOWN || keys.some(scaledElsewhere)) continue;
            // A group pinned to one size has no capacity to adjust.
            const min = read(group.props, "minSize");
            const max = read(group.props, "maxSize");
            if (typeof min === "number" && typeof max === "number" && min === max) continue;
            const own = policies.filter((p) => scales(p, group));
            const types = own.map((p) => read(p.props, "policyType"));
            // A policy type computed from another resource is checked once it is known.
            if (types.some((t) => t === UNKNOWN || LOAD_FOLLOWING.includes(t as string))) continue;
            // A policy without policyType is a simple scaling policy.
            const labels = own.map(
                (p, i) =>
                    `'${p.name}': ${typeof types[i] === "string" ? types[i] : "SimpleScaling"}`,
            );
            const found =
                own.length === 0
                    ? "no scaling policy refers to it"
                    : `its scaling policies (${labels.join(", ")}) neither track a target nor predict load`;
            reportViolation(
                `Auto Scaling group '${group.name}' has no target tracking or predictive scaling policy (${found}), so its capacity does not follow load: add an aws.autoscaling.Policy with policyType "TargetTrackingScaling", autoscalingGroupName set to the group's name and a targetTrackingConfiguration (for example ASGAverageCPUUtilization with a targetValue), or set minSize equal to maxSize if the group is meant to stay at a fixed size.`,
                group.urn,
            );
        }
    },
};
