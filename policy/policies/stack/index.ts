/** The stack policies of the pack, one file each. */
import type { FleetPolicy } from "../types";
import { awsAsgTargetTracking } from "./aws-asg-target-tracking";
import { fleetClusterRegistered } from "./fleet-cluster-registered";

export const stackPolicies: FleetPolicy[] = [awsAsgTargetTracking, fleetClusterRegistered];
