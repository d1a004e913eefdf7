/**
 * Every message the parser can give names its key and says how to fix it. The test walks every
 * key of the schema (`StackConfigSchema`, from zod's own definition), puts a wrong value of each
 * kind there in a stack that sets every section (wrong type, out of range, bad format, not one
 * of the allowed values, empty, a fraction, a pasted kubeconfig, an unknown key inside), and
 * checks every problem reported: the key it names, a fix (a `pulumi config set`/`rm` command or
 * an instruction), and no value quoted longer than messages cut to, nor any secret.
 */
import { z } from "zod";
import { ConfigError, parseStackConfig, SECRET_CONFIG, StackConfigSchema } from "../../config";
import { APP, AWS_ON, AZURE_ARC, EDGE_SITE, KUBECONFIG, NS } from "./harness";

/** A stack that sets every section, valid as it stands (checked below). */
const FULL: Record<string, unknown> = {
    environment: "dev",
    tags: { team: "fleet" },
    aws: { ...AWS_ON, alerts: { emails: ["ops@example.com"] } },
    gcp: {
        enabled: true,
        project: "proj-123456",
        region: "europe-west1",
        configSync: { syncRepo: "https://github.com/org/fleet.git" },
        clusters: [
            {
                name: "gke-1",
                location: "europe-west1",
                masterIpv4CidrBlock: "172.16.0.0/28",
                masterAuthorizedNetworks: [{ cidrBlock: "203.0.113.0/24", displayName: "office" }],
            },
        ],
        attachedClusters: [
            {
                name: "eks-1",
                location: "europe-west1",
                distribution: "eks",
                oidcIssuerUrl: "https://oidc.example.com/id/1",
                platformVersion: "1.31.0-gke.1",
                kubeconfig: KUBECONFIG,
            },
        ],
    },
    azure: AZURE_ARC,
    edge: {
        shards: { eu: { regions: ["eu-west"] } },
        shard: "eu",
        sites: [{ ...EDGE_SITE, labels: { tier: "store" } }],
    },
    app: {
        ...APP,
        image: `fleet.azurecr.io/app@sha256:${"0".repeat(64)}`,
        imagePullSecrets: ["app-registry"],
        ingress: { ...APP.ingress, controllerPodLabels: { app: "ingress" } },
    },
    appImage: { buildArgs: { VERSION: "1" } },
    dashboard: { deployerObjectId: "55555555-5555-5555-5555-555555555555" },
    databaseUrl: "postgresql://app:pw@db.example.com:5432/app?sslmode=verify-full",
    registryPullCredential: { server: "fleet.azurecr.io", username: "token", password: "pw" },
};
/** Every top-level key that holds a secret, held as one (as `config set --secret` does). */
const SECRET_TOP_LEVEL = SECRET_CONFIG.map((s) => `${NS}:${s.topLevel}`);

function rawOf(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [`${NS}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

function problemsOf(values: Record<string, unknown>): string[] {
    try {
        parseStackConfig(rawOf(values), NS, "dev", SECRET_TOP_LEVEL);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return [...e.problems];
    }
    return [];
}

/** A key of the schema, where the FULL stack has one: list items at [0], map values at a key. */
type Step = string | number;
interface Key {
    readonly path: Step[];
    /** An object: it gets an unknown key too. */
    readonly object: boolean;
}

/** Every key under `schema`, walking zod's definition (objects, lists, maps, wrappers). */
function keysOf(schema: z.core.$ZodType, at: Step[], mapKey: string, keys: Key[]): Key[] {
    const def = (schema as z.core.$ZodTypes)._zod.def;
    switch (def.type) {
        case "object":
            if (at.length) keys.push({ path: at, object: true });
            for (const [k, v] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) {
                keysOf(v, [...at, k], k, keys);
            }
            return keys;
        case "array":
            keys.push({ path: at, object: false });
            return keysOf(def.element, [...at, 0], mapKey, keys);
        case "record":
            keys.push({ path: at, object: false });
            // The FULL stack's key in the map (edge.shards.eu), or a new one.
            return keysOf(def.valueType, [...at, mapKey === "shards" ? "eu" : "x"], "", keys);
        case "optional":
        case "nullable":
        case "default":
        case "prefault":
        case "readonly":
        case "nonoptional":
            return keysOf(def.innerType, at, mapKey, keys);
        case "pipe":
            return keysOf(
                def.out._zod.def.type === "transform" ? def.in : def.out,
                at,
                mapKey,
                keys,
            );
        default:
            keys.push({ path: at, object: false });
            return keys;
    }
}

/** `values` with `value` at `path`, containers created on the way. */
function withValue(values: Record<string, unknown>, path: Step[], value: unknown) {
    const copy = structuredClone(values);
    let node: Record<string | number, unknown> = copy;
    path.slice(0, -1).forEach((step, i) => {
        const next = node[step];
        if (next === null || typeof next !== "object") {
            node[step] = typeof path[i + 1] === "number" ? [] : {};
        }
        node = node[step] as Record<string | number, unknown>;
    });
    node[path[path.length - 1]] = value;
    return copy;
}

/** A kubeconfig pasted into the wrong key: longer than any message may quote. */
const PASTED = `${KUBECONFIG}users: [{ name: a, user: { token: pasted-token-${"x".repeat(80)} } }]\n`;
/** A value of each kind a key can be wrong with. */
const WRONG: readonly unknown[] = [
    { wrong: true },
    ["wrong"],
    "%%%",
    "",
    -1,
    1.5,
    4_000_000_000_000,
    true,
    PASTED,
];

/** A message names its key first: `multicloud:<path>`, or the stack config as a whole. */
const NAMES_KEY = /^(multicloud:[\w.[\]*-]+[ ,:(]|the multicloud stack config )/;
/**
 * A fix: a `pulumi config` command, or an instruction (an imperative verb after a colon or a
 * semicolon).
 */
const HAS_FIX =
    /`pulumi config (set|rm)[^`]*`|[:;] (then |or |and )?(set|remove|rename|add|give|list|point|use|pin|copy|keep|enable|raise|lower|quote|define|swap|release|create|restore|choose|turn|name|drop|move|bind|make|run|spread|leave|shorten|write|change)\b/;

describe("every config message names its key and its fix", () => {
    const keys = keysOf(StackConfigSchema, [], "", []);

    it("walks every key of the schema, from a stack that sets every section", () => {
        expect(problemsOf(FULL)).toEqual([]);
        const paths = keys.map((k) => k.path.join("."));
        expect(paths).toEqual(
            expect.arrayContaining([
                "aws.fleet.minSize",
                "gcp.clusters.0.masterAuthorizedNetworks.0.displayName",
                "edge.shards.eu.selector.x",
                "registryPullCredential.password",
                "app.ingress.controllerPodLabels.x",
            ]),
        );
        expect(keys.length).toBeGreaterThan(200);
    });

    it("for a wrong value of every kind at every key, and an unknown key in every object", () => {
        const bad: string[] = [];
        let checked = 0;
        for (const { path, object } of keys) {
            const variants = WRONG.map((v) => withValue(FULL, path, v));
            if (object) variants.push(withValue(FULL, [...path, "bogusKey"], "x"));
            for (const values of variants) {
                for (const problem of problemsOf(values)) {
                    checked++;
                    const why = [
                        NAMES_KEY.test(problem) ? "" : "names no key",
                        HAS_FIX.test(problem) ? "" : "gives no fix",
                        problem.includes(PASTED.slice(0, 90)) ? "quotes a long value" : "",
                        problem.includes("pasted-token") ? "quotes a pasted secret" : "",
                        // zsh (macOS's shell) refuses an unquoted [0] that matches no file.
                        /pulumi config (set|rm)[^`]* --path [^'`\s]*\[/.test(problem)
                            ? "leaves a list position unquoted in a command"
                            : "",
                    ].filter(Boolean);
                    if (why.length) bad.push(`${why.join(", ")}: ${problem}`);
                }
            }
        }
        expect([...new Set(bad)]).toEqual([]);
        expect(checked).toBeGreaterThan(1000);
    });

    it("never quotes a secret's value, whatever is wrong with it", () => {
        const secrets = keys.filter(({ path }) =>
            /kubeconfig$|^registryPullCredential|^databaseUrl$/.test(path.join(".")),
        );
        expect(secrets.length).toBeGreaterThanOrEqual(5);
        for (const { path } of secrets) {
            for (const secret of ["s3cr3t-%%%", { token: "s3cr3t" }, ["s3cr3t"], 1.5]) {
                for (const problem of problemsOf(withValue(FULL, path, secret))) {
                    expect(problem).not.toMatch(/s3cr3t|1\.5/);
                }
            }
        }
    });
});
