/** Rate limits in front of the app: the web ACL's rate-based rule and the ingress's limits. */
import type { FleetPolicy } from "../types";
import { awsWafv2WebAclRateLimit } from "./aws-wafv2-web-acl-rate-limit";
import { kubernetesIngressRateLimit } from "./kubernetes-ingress-rate-limit";

export const rateLimitPolicies: FleetPolicy[] = [
    awsWafv2WebAclRateLimit,
    kubernetesIngressRateLimit,
];
