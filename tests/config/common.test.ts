/**
 * The helpers every config section builds on (config/common.ts), called directly: each leaf
 * format accepts what the clouds accept and says why it refuses the rest, and each list helper
 * reports every problem at its own index.
 */
import { z } from "zod";
import {
    distinct,
    gcpRegion,
    groupObjectIds,
    networkAddress,
    requiredWhenEnabled,
    tagKey,
    tagValue,
    uuid,
} from "../../config/common";

/** The messages zod reports for `value`, each with its path. */
function issues(schema: z.ZodType, value: unknown): string[] {
    const r = schema.safeParse(value);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("leaf formats", () => {
    it("takes Google Cloud regions, not zones", () => {
        expect(issues(gcpRegion, "europe-west1")).toEqual([]);
        expect(issues(gcpRegion, "northamerica-northeast2")).toEqual([]);
        expect(issues(gcpRegion, "europe-west1-b")).toEqual([
            ": must be a Google Cloud region such as europe-west1 or us-central1 (not a zone)",
        ]);
    });

    it("takes GUIDs in any case, naming what the GUID is", () => {
        const tenant = uuid("Entra ID tenant id");
        expect(issues(tenant, "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE")).toEqual([]);
        expect(issues(tenant, "not-a-guid")).toEqual([
            ": must be the Entra ID tenant id as a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
        ]);
    });

    // Google Cloud labels are the strictest of the three clouds' tags: keys start with a
    // lowercase letter, keys and values are at most 63 of [a-z0-9_-]
    // (cloud.google.com/resource-manager/docs/labels-overview#requirements).
    it("takes tag keys and values every cloud accepts as labels", () => {
        expect(issues(tagKey, "cost-center")).toEqual([]);
        expect(issues(tagKey, "a".repeat(63))).toEqual([]);
        expect(issues(tagKey, "a".repeat(64))).toHaveLength(1);
        expect(issues(tagKey, "Team")).toHaveLength(1);
        expect(issues(tagKey, "1team")).toHaveLength(1);
        expect(issues(tagValue, "")).toEqual([]);
        expect(issues(tagValue, "a".repeat(63))).toEqual([]);
        expect(issues(tagValue, "a".repeat(64))).toHaveLength(1);
        expect(issues(tagValue, "Platform")).toEqual([
            ": must be a valid tag value on every cloud: up to 63 lowercase letters, digits, _ or - (Google Cloud label rules)",
        ]);
    });

    it("refuses a CIDR with host bits, which the clouds refuse", () => {
        const cidr = networkAddress(z.string());
        expect(issues(cidr, "10.0.0.0/16")).toEqual([]);
        expect(issues(cidr, "10.0.0.1/16")).toHaveLength(1);
        expect(issues(cidr, "10.0.0.1/16")[0]).toContain("10.0.0.0/16");
    });
});

describe("list helpers", () => {
    it("reports each repeat at its own index, compared by the key given", () => {
        const groups = groupObjectIds();
        const a = "11111111-1111-1111-1111-111111111111";
        const b = "22222222-2222-2222-2222-222222222222";
        expect(groups.parse(undefined)).toEqual([]);
        expect(issues(groups, [a, b, a.toUpperCase(), b])).toEqual([
            `2: '${a.toUpperCase()}' is listed twice: each group may appear once; remove the repeat`,
            `3: '${b}' is listed twice: each group may appear once; remove the repeat`,
        ]);
        // The default key is the value itself.
        expect(issues(distinct(z.string(), "name"), ["x", "X"])).toEqual([]);
    });

    it("names every field an enabled section lacks, with the command that sets it", () => {
        const { check, when } = requiredWhenEnabled("aws", [
            "region",
            "loadBalancer.certificateArn",
        ]);
        const schema = z
            .object({ enabled: z.boolean() })
            .passthrough()
            .check(z.superRefine(check, { when }));
        expect(issues(schema, { enabled: false })).toEqual([]);
        expect(issues(schema, { enabled: true, loadBalancer: {} })).toEqual([
            "region: is required when aws.enabled is true: set it with `pulumi config set --path aws.region <value>`, or set aws.enabled to false",
            "loadBalancer.certificateArn: is required when aws.enabled is true: set it with `pulumi config set --path aws.loadBalancer.certificateArn <value>`, or set aws.enabled to false",
        ]);
    });
});
