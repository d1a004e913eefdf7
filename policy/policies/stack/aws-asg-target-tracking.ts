import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { read, UNKNOWN } from "../types";

const ASG = "aws:autoscaling/group:Group";
const SCALING_POLICY = "aws:autoscaling/policy:Policy";
const TARGET_TRACKING = "TargetTrackingScaling";

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
        "Every AWS Auto Scaling group must have a target tracking scaling policy (policyType TargetTrackingScaling), so its capacity follows load instead of staying at a fixed size.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const policies = args.resources.filter((r) => r.type === SCALING_POLICY);
        for (const group of args.resources.filter((r) => r.type === ASG)) {
            const own = policies.filter((p) => scales(p, group));
            const types = own.map((p) => read(p.props, "policyType"));
            // A policy type computed from another resource is checked once it is known.
            if (types.some((t) => t === TARGET_TRACKING || t === UNKNOWN)) continue;
            // A policy without policyType is a simple scaling policy.
            const labels = own.map(
                (p, i) =>
                    `'${p.name}': ${typeof types[i] === "string" ? types[i] : "SimpleScaling"}`,
            );
            const found =
                own.length === 0
                    ? "no scaling policy refers to it"
                    : `its scaling policies (${labels.join(", ")}) do not track a target`;
            reportViolation(
                `Auto Scaling group '${group.name}' has no target tracking scaling policy (${found}), so its capacity does not follow load: add an aws.autoscaling.Policy with policyType "TargetTrackingScaling", autoscalingGroupName set to the group's name and a targetTrackingConfiguration (for example ASGAverageCPUUtilization with a targetValue).`,
                group.urn,
            );
        }
    },
};
