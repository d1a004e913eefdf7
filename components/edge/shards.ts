/**
 * Sharding of the edge fleet: the same program runs as several stacks, each owning the slice of
 * the site list its shard claims, so Pulumi Deployments can run the shards in parallel and no
 * stack ever holds thousands of clusters.
 *
 * Every shard stack reads the same site list and the same shard definitions (keep both in one
 * Pulumi ESC environment the shard stacks import), and each one checks that the definitions
 * partition the list: every site is claimed by exactly one shard. So two shards can never both
 * own a site, whichever of them runs first, and no site is left to nobody.
 */

/** Which sites a shard claims: all of its regions (when given) and all of its labels (when given). */
export interface EdgeShard {
    /** The shard claims sites in one of these regions. @default any region */
    readonly regions?: readonly string[];
    /** The shard claims sites carrying every one of these labels. @default any labels */
    readonly selector?: Readonly<Record<string, string>>;
}

/** What sharding reads of a site. */
export interface ShardableSite {
    readonly name: string;
    readonly region: string;
    /** @default {} */
    readonly labels?: Readonly<Record<string, string>>;
}

/** Whether `shard` claims `site`. */
export function shardClaims(shard: EdgeShard, site: ShardableSite): boolean {
    const inRegion = shard.regions === undefined || shard.regions.includes(site.region);
    const labelled = Object.entries(shard.selector ?? {}).every(
        ([key, value]) => site.labels?.[key] === value,
    );
    return inRegion && labelled;
}

/** The names of the shards that claim `site`, in definition order. */
export function claimsOf(
    site: ShardableSite,
    shards: Readonly<Record<string, EdgeShard>>,
): string[] {
    return Object.entries(shards)
        .filter(([, shard]) => shardClaims(shard, site))
        .map(([name]) => name);
}

/** A problem with the partition: the site's index in the list and what is wrong. */
export interface ShardProblem {
    readonly index: number;
    readonly message: string;
}

/**
 * Every site claimed by no shard or by more than one: the definitions must partition the list.
 * Empty when there are no shards (the stack owns every site).
 */
export function shardProblems(
    sites: readonly ShardableSite[],
    shards: Readonly<Record<string, EdgeShard>>,
): ShardProblem[] {
    if (Object.keys(shards).length === 0) return [];
    const problems: ShardProblem[] = [];
    sites.forEach((site, index) => {
        const claims = claimsOf(site, shards);
        if (claims.length === 0) {
            problems.push({
                index,
                message: `('${site.name}', region '${site.region}') is claimed by no shard: add its region or one of its labels to a shard in edge.shards, so that some stack owns it`,
            });
        } else if (claims.length > 1) {
            problems.push({
                index,
                message: `('${site.name}') is claimed by shards ${claims.map((c) => `'${c}'`).join(" and ")}: two stacks would both manage it; make their regions or selectors disjoint`,
            });
        }
    });
    return problems;
}

/** The sites the stack that owns `shard` manages: all of them when there are no shards. */
export function ownedSites<T extends ShardableSite>(
    sites: readonly T[],
    shards: Readonly<Record<string, EdgeShard>>,
    shard: string | undefined,
): T[] {
    if (shard === undefined) return [...sites];
    const own = shards[shard];
    return own === undefined ? [] : sites.filter((site) => shardClaims(own, site));
}
