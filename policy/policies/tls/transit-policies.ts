/** TLS between the load balancer and its targets, and the access logs that audit it. */
import type { FleetPolicy } from "../types";
import { awsAlbAccessLogs } from "./aws-alb-access-logs";
import { awsLbTargetGroupTls } from "./aws-lb-target-group-tls";

export const transitPolicies: FleetPolicy[] = [awsLbTargetGroupTls, awsAlbAccessLogs];
