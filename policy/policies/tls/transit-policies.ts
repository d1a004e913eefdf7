/** TLS between the load balancer and its targets, and the access logs that audit it. */
import type { FleetPolicy } from "../types";

export const transitPolicies: FleetPolicy[] = [];
