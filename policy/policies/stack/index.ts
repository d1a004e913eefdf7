/** The stack policies of the pack, one file each. */
import type { FleetPolicy } from "../types";
import { awsAlbWebAcl } from "./aws-alb-web-acl";
import { awsAsgTargetTracking } from "./aws-asg-target-tracking";
import { fleetClusterRegistered } from "./fleet-cluster-registered";
import { rateLimitPolicies } from "./rate-limit-policies";

export const stackPolicies: FleetPolicy[] = [
    awsAsgTargetTracking,
    fleetClusterRegistered,
    awsAlbWebAcl,
    ...rateLimitPolicies,
];
