import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, UNKNOWN } from "../types";

/** aws.lb.TargetGroup and its alias aws.alb.TargetGroup. */
const TARGET_GROUP_TYPES = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"];
/**
 * Target types this policy judges: instances and IP addresses, which the load balancer reaches
 * over the protocol of the group. `lambda` (an invocation, no protocol) and `alb` (a Network Load
 * Balancer forwarding TCP to an Application Load Balancer, which terminates TLS itself) are not.
 * The provider's default target type is `instance` (terraform-provider-aws
 * internal/service/elbv2/target_group.go: "target_type" Default: TargetTypeEnumInstance).
 */
const JUDGED_TARGET_TYPES = ["instance", "ip"];
/**
 * Protocols that carry the client's bytes to the targets without the load balancer terminating
 * them (Network Load Balancer TCP, UDP, TCP_UDP, QUIC, TCP_QUIC), or encapsulate whole packets
 * (Gateway Load Balancer GENEVE): whether those bytes are TLS is the client's and target's
 * business, which a target group cannot show. Not judged.
 */
const PASS_THROUGH = ["TCP", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC", "GENEVE"];

const BLUEPRINT_FIX =
    "in this blueprint, set multicloud:aws.loadBalancer.targetProtocol to HTTPS, the default";

export const awsLbTargetGroupTls: ResourceValidationPolicy = {
    name: "aws-lb-target-group-tls",
    description:
        'Target groups of AWS load balancers (aws.lb.TargetGroup or aws.alb.TargetGroup) with targetType "instance" (the default) or "ip" must reach their targets over TLS: protocol "HTTPS" (Application Load Balancer) or "TLS" (Network Load Balancer). Protocol "HTTP", or no protocol, is a violation, and so is an HTTPS or TLS group whose health checks use plain HTTP (healthCheck.protocol "HTTP", or unset on an HTTPS group, where the provider defaults to HTTP), since its targets must then also answer in plain text. Groups of targetType "lambda" or "alb", and groups whose protocol passes the client\'s bytes through (TCP, UDP, TCP_UDP, QUIC, TCP_QUIC) or encapsulates packets (GENEVE), are not judged.',
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!TARGET_GROUP_TYPES.includes(args.type)) return;
        const targetType = read(args.props, "targetType");
        const protocol = read(args.props, "protocol");
        // A type or protocol computed from another resource is checked once it is known.
        if (targetType === UNKNOWN || protocol === UNKNOWN) return;
        const kind = typeof targetType === "string" && targetType ? targetType : "instance";
        if (!JUDGED_TARGET_TYPES.includes(kind.toLowerCase())) return;
        const group = `Target group '${args.name}'`;
        if (protocol === undefined || protocol === null || protocol === "") {
            reportViolation(
                `${group} has no protocol (targetType ${kind} requires one; the aws provider refuses the group without it), so nothing says its targets are reached over TLS: set protocol to "HTTPS" with healthCheck.protocol "HTTPS", and serve TLS on the targets (${BLUEPRINT_FIX}).`,
            );
            return;
        }
        const upper = String(protocol).toUpperCase();
        if (PASS_THROUGH.includes(upper)) return;
        if (upper === "HTTP") {
            reportViolation(
                `${group} sends requests to its targets over plain HTTP (its protocol is HTTP), so they cross the network unencrypted after the load balancer: set protocol to "HTTPS" with healthCheck.protocol "HTTPS", and serve TLS on the targets (${BLUEPRINT_FIX}).`,
            );
            return;
        }
        if (upper !== "HTTPS" && upper !== "TLS") return;
        const healthCheck = read(args.props, "healthCheck.protocol");
        if (healthCheck === UNKNOWN) return;
        const check =
            typeof healthCheck === "string" && healthCheck
                ? healthCheck.toUpperCase()
                : upper === "HTTPS"
                  ? "HTTP"
                  : "TCP";
        if (check !== "HTTP") return;
        reportViolation(
            `${group} reaches its targets over ${upper}, but its health checks use plain HTTP (healthCheck.protocol is HTTP${upper === "HTTPS" ? ", or unset, where the aws provider defaults to HTTP" : ""}), so every target must also answer in plain text: set healthCheck.protocol to "HTTPS" (${BLUEPRINT_FIX}; it sets both).`,
        );
    },
};
