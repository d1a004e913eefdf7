/** Rate limits in front of the app: the web ACL's rate-based rule and the ingress's limits. */
import type { FleetPolicy } from "../types";

export const rateLimitPolicies: FleetPolicy[] = [];
