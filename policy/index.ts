/**
 * The fleet's CrossGuard pack. Run by the Pulumi CLI (`pulumi preview --policy-pack policy`)
 * and by the offline plan (`npm run plan`) over the same analyzer protocol. Nothing may be
 * printed to stdout while this loads: the first line the process writes is its gRPC port.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_DESCRIPTION, POLICIES_BY_GROUP } from "./policies";

new PolicyPack("multicloud-fleet", {
    description: PACK_DESCRIPTION,
    policies: Object.values(POLICIES_BY_GROUP).flat(),
});
