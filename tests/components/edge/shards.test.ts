/**
 * Sharding of the edge fleet (components/edge/shards.ts): the same site list in every shard
 * stack, and shard definitions that must partition it, so that no two stacks ever manage one
 * site and no site is left to nobody. The pure rules first, then two shard stacks planned over
 * one list.
 */
import { claimsOf, ownedSites, shardClaims, shardProblems } from "../../../components/edge/shards";
import type { PlanResult } from "../../../plan/run";
import {
    syntheticEdgeOverrides,
    syntheticSites,
    SYNTHETIC_REGIONS,
} from "../../../tools/synthetic";
import { ofType, planStack } from "../../harness";
import { T } from "./fixtures";

describe("Sharding", () => {
    const sites = syntheticSites(40) as {
        name: string;
        region: string;
        labels: Record<string, string>;
    }[];
    const byRegion = {
        eu: { regions: ["eu-west", "eu-central"] },
        us: { regions: ["us-east", "us-west"] },
        ap: { regions: ["ap-south"] },
    };

    it("partitions the sites: no two shards own a site, and every site has an owner", () => {
        expect(shardProblems(sites, byRegion)).toEqual([]);
        const owned = Object.keys(byRegion).map((s) =>
            ownedSites(sites, byRegion, s).map((site) => site.name),
        );
        const all = owned.flat();
        expect(new Set(all).size).toBe(all.length); // disjoint
        expect(all.sort()).toEqual(sites.map((s) => s.name).sort()); // complete
        for (const site of sites) expect(claimsOf(site, byRegion)).toHaveLength(1);
        expect(SYNTHETIC_REGIONS.length).toBe(5);
    });

    it("names every site two shards claim, and every site no shard claims", () => {
        const shards = { eu: { regions: ["eu-west"] }, stores: { selector: { tier: "store" } } };
        const list = [
            { name: "a", region: "eu-west", labels: { tier: "warehouse" } },
            { name: "b", region: "eu-west", labels: { tier: "store" } },
            { name: "c", region: "us-east", labels: { tier: "warehouse" } },
            { name: "d", region: "us-east", labels: { tier: "store" } },
        ];
        expect(shardProblems(list, shards)).toEqual([
            {
                index: 1,
                message:
                    "('b') is claimed by shards 'eu' and 'stores': two stacks would both manage it; make their regions or selectors disjoint",
            },
            {
                index: 2,
                message:
                    "('c', region 'us-east') is claimed by no shard: add its region or one of its labels to a shard in edge.shards, so that some stack owns it",
            },
        ]);
        // A selector needs every one of its labels; a stack with no shards owns every site.
        expect(claimsOf(list[3], { x: { selector: { tier: "store", country: "de" } } })).toEqual(
            [],
        );
        expect(ownedSites(list, {}, undefined)).toEqual(list);
    });

    it("plans two shard stacks over one site list that never manage the same site", async () => {
        const shards = { eu: byRegion.eu, rest: { regions: ["us-east", "us-west", "ap-south"] } };
        const base = { ...syntheticEdgeOverrides(10), "edge.shards": shards };
        // One after the other: a plan runs alone in the jest worker's Pulumi runtime.
        const eu = await planStack("dev", { ...base, "edge.shard": "eu" });
        const rest = await planStack("dev", { ...base, "edge.shard": "rest" });
        expect(eu.errors).toEqual([]);
        expect(rest.errors).toEqual([]);
        const names = (p: PlanResult) => ofType(p, T.edge).map((r) => r.name);
        expect(names(eu).filter((n) => names(rest).includes(n))).toEqual([]);
        expect([...names(eu), ...names(rest)].sort()).toEqual(
            syntheticSites(10).map((s) => String(s.name)),
        );
        expect((eu.outputs.edge as { shard: string }).shard).toBe("eu");
    });
    // The config refuses overlapping shards before anything is planned: tests/config/edge.test.ts.

    it("claims by region, by labels, or by both; a shard the definitions lack owns nothing", () => {
        const site = { name: "s", region: "eu-west", labels: { tier: "store", country: "de" } };
        expect(shardClaims({ regions: ["eu-west"] }, site)).toBe(true);
        expect(shardClaims({ selector: { tier: "store" } }, site)).toBe(true);
        expect(shardClaims({ regions: ["eu-west"], selector: { tier: "kiosk" } }, site)).toBe(
            false,
        );
        expect(shardClaims({ regions: ["us-east"], selector: { tier: "store" } }, site)).toBe(
            false,
        );
        // A site without labels is claimed by no selector.
        expect(shardClaims({ selector: { tier: "store" } }, { name: "t", region: "eu-west" })).toBe(
            false,
        );
        // In definition order, so that a message names the shards as the stack file lists them.
        expect(
            claimsOf(site, { z: { regions: ["eu-west"] }, a: { selector: { country: "de" } } }),
        ).toEqual(["z", "a"]);
        expect(ownedSites([site], { eu: { regions: ["eu-west"] } }, "us")).toEqual([]);
        expect(shardProblems([site], {})).toEqual([]);
    });
});
