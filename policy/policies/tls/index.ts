/** The TLS policies of the pack, one file each. */
import type { FleetPolicy } from "../types";
import { awsLbListenerTls13 } from "./aws-lb-listener-tls13";

export const tlsPolicies: FleetPolicy[] = [awsLbListenerTls13];
