/** What the AWS load-balancer policies share: which resources are internet-facing ALBs. */
import { read, UNKNOWN } from "./types";

/** aws.lb.LoadBalancer and its alias aws.alb.LoadBalancer. */
export const LOAD_BALANCER_TYPES = [
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
];

/**
 * Whether a resource is an internet-facing Application Load Balancer: a load balancer whose
 * loadBalancerType is "application" or unset (the provider's default) and whose internal is not
 * true. Undefined while either is computed from another resource: checked once known.
 */
export function internetFacingAlb(
    type: string,
    props: Record<string, unknown>,
): boolean | undefined {
    if (!LOAD_BALANCER_TYPES.includes(type)) return false;
    const lbType = read(props, "loadBalancerType");
    const internal = read(props, "internal");
    if (lbType === UNKNOWN || internal === UNKNOWN) return undefined;
    if (lbType !== undefined && lbType !== null && lbType !== "" && lbType !== "application") {
        return false;
    }
    return internal !== true;
}
