import type { ResourceValidationPolicy } from "@pulumi/policy";
import { internetFacingAlb } from "../aws-load-balancers";
import { read, UNKNOWN } from "../types";

export const awsAlbAccessLogs: ResourceValidationPolicy = {
    name: "aws-alb-access-logs",
    description:
        'Every internet-facing AWS Application Load Balancer (an aws.lb.LoadBalancer or aws.alb.LoadBalancer with loadBalancerType "application", the default, and internal not true) should write access logs to S3: accessLogs.enabled true and a non-empty accessLogs.bucket (a bucket name computed from another resource counts). Each entry records the TLS protocol and cipher a client negotiated, so the listener\'s TLS policy can be audited. Internal load balancers and Network and Gateway Load Balancers are not judged.',
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        // Values computed from other resources are checked once they are known.
        if (internetFacingAlb(args.type, args.props) !== true) return;
        const enabled = read(args.props, "accessLogs.enabled");
        const bucket = read(args.props, "accessLogs.bucket");
        if (enabled === UNKNOWN) return;
        if (enabled === true && (bucket === UNKNOWN || (typeof bucket === "string" && bucket))) {
            return;
        }
        reportViolation(
            `Application Load Balancer '${args.name}' is internet-facing and writes no access logs (accessLogs.enabled is not true, or accessLogs.bucket is empty), so the TLS versions and ciphers its clients negotiate cannot be audited: set accessLogs to { bucket: <an S3 bucket in its Region with SSE-S3 encryption and a policy that lets Elastic Load Balancing write>, enabled: true } (in this blueprint, set multicloud:aws.loadBalancer.accessLogs.enabled to true).`,
        );
    },
};
