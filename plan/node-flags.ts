/**
 * Node flags the plan runs with (`npm run plan`, each `npm run bench` case). The SDK allocates a
 * few hundred short-lived promises per registration; a young generation large enough to hold a
 * batch of them lets them die young instead of being promoted and marked again: measured with
 * `npm run bench`, a 1000-site plan takes a quarter less time, at no cost in peak memory.
 */
export const PLAN_NODE_FLAGS = ["--max-semi-space-size=128"] as const;
