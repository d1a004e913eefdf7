/**
 * docs/config.md, the config reference `npm run config-doc` writes from the schema: the committed
 * file is the render (so `npm run config-doc -- --check` passes), and every key of the schema has
 * a row. The keys are listed here from the zod schema itself, walking its definition, not from
 * the renderer's JSON Schema walk, so that a renderer bug cannot hide a key.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { StackConfigSchema } from "../../config";
import { CONFIG_DOC_FILE, configSections, SECRET_KEYS, staleRows } from "../../tools/config-doc";
import { PROJECT_DIR } from "../harness";

const committed = fs.readFileSync(path.join(PROJECT_DIR, CONFIG_DOC_FILE), "utf8");

/** `npm run config-doc -- --check`, as a child process through tsx. */
function check() {
    return spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(PROJECT_DIR, "tools", "config-doc.ts"), "--check"],
        { cwd: PROJECT_DIR, encoding: "utf8", timeout: 120_000 },
    );
}

/** Every key path of a zod schema, as the reference writes them (`a.b`, `a[].b`, `a.<name>.b`). */
function schemaKeys(schema: z.core.$ZodType, prefix: string, keys: string[]): string[] {
    const def = (schema as z.core.$ZodTypes)._zod.def;
    switch (def.type) {
        case "object":
            for (const [key, value] of Object.entries(
                def.shape as Record<string, z.core.$ZodType>,
            )) {
                const at = prefix ? `${prefix}.${key}` : key;
                keys.push(at);
                schemaKeys(value, at, keys);
            }
            return keys;
        case "array":
            return schemaKeys(def.element, `${prefix}[]`, keys);
        case "record": {
            const value = def.valueType;
            // A map of objects: its values' keys under <name>; a map of strings is one row.
            return schemaKeys(value, `${prefix}.<name>`, []).length
                ? schemaKeys(value, `${prefix}.<name>`, keys)
                : keys;
        }
        case "optional":
        case "nullable":
        case "default":
        case "prefault":
        case "readonly":
        case "nonoptional":
            return schemaKeys(def.innerType, prefix, keys);
        case "pipe":
            // A preprocess (transform, then the schema) or a pipe: the keys are the schema's.
            return schemaKeys(
                def.out._zod.def.type === "transform" ? def.in : def.out,
                prefix,
                keys,
            );
        default:
            return keys;
    }
}

/** The keys with a row in the committed file, each with its cells. */
function committedRows(): Map<string, string[]> {
    const rows = new Map<string, string[]>();
    for (const line of committed.split("\n")) {
        const m = /^\| `([^`]+)`/.exec(line);
        if (!m) continue;
        const cells = line
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((c) => c.trim());
        rows.set(m[1], cells);
    }
    return rows;
}

describe("docs/config.md", () => {
    it("is what `npm run config-doc` renders (`--check` passes)", () => {
        // A real child process, as `npm run config-doc -- --check` runs: Prettier, which the
        // render goes through, loads its formatters with import(), which jest's VM refuses.
        const r = check();
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
    });

    it("has a row for every key of the schema, each section's under its heading", () => {
        const keys = schemaKeys(StackConfigSchema, "", []);
        // The walk sees the schema as zod holds it: a sanity check that it reached the leaves.
        expect(keys).toEqual(
            expect.arrayContaining([
                "aws.fleet.minSize",
                "gcp.clusters[].name",
                "edge.shards.<name>.regions",
                "appImage.azureEncryption.keyVaultId",
            ]),
        );
        const rows = committedRows();
        const sections = configSections()
            .map((s) => s.key)
            .filter((k): k is string => k !== undefined);
        const missing = keys.filter((k) => !rows.has(k) && !sections.includes(k));
        expect(missing).toEqual([]);
        for (const section of sections) expect(committed).toContain(`## \`${section}\``);
        // And no row for a key the schema does not have.
        expect([...rows.keys()].filter((k) => !keys.includes(k))).toEqual([]);
    });

    it("documents aws.loadBalancer.certificateArn, which is required when AWS is enabled", () => {
        const row = committedRows().get("aws.loadBalancer.certificateArn");
        expect(row).toEqual([
            "`aws.loadBalancer.certificateArn`",
            "string",
            "none",
            "no",
            "ACM certificate of the HTTPS listener. Required when aws.enabled is true.",
        ]);
    });

    it("marks the keys that must be secrets, and only those", () => {
        const rows = committedRows();
        expect(rows.get("databaseUrl")?.[3]).toBe("yes");
        expect(rows.get("edge.sites[].kubeconfig")?.[3]).toBe("yes");
        expect(rows.get("edge.sites[].name")?.[3]).toBe("no");
        const secret = [...rows].filter(([, cells]) => cells[3] === "yes").map(([k]) => k);
        expect(secret.sort()).toEqual([...SECRET_KEYS].sort());
        // The keys parseStackConfig refuses in plain text (tests/config/*.test.ts), written out.
        expect([...SECRET_KEYS].sort()).toEqual([
            "databaseUrl",
            "edge.sites[].kubeconfig",
            "gcp.attachedClusters[].kubeconfig",
            "registryPullCredential",
            "registryPullCredential.password",
        ]);
    });

    it("describes every key: no row has an empty description", () => {
        const undescribed = [...committedRows()]
            .filter(([, cells]) => cells[4] === "")
            .map(([key]) => key);
        expect(undescribed).toEqual([]);
        // The rows are whole: five cells each, the description last.
        expect([...committedRows().values()].every((cells) => cells.length === 5)).toBe(true);
    });

    it("shows allowed values and schema defaults", () => {
        const row = committedRows().get("aws.fleet.architecture");
        expect(row?.slice(1, 3)).toEqual(["one of `x86_64`, `arm64`", '`"x86_64"`']);
        expect(committedRows().get("environment")?.[2]).toBe("required");
    });

    it("names the stale and missing rows when the file differs", () => {
        const edited = committed
            .replace(/^\| `aws\.fleet\.minSize` .*\n/m, "")
            .replace(/(\| `aws\.fleet\.maxSize` +\| integer +\| )`10`/, "$1`11`");
        expect(staleRows(edited, committed)).toEqual([
            "missing row: aws.fleet.minSize",
            "stale row: aws.fleet.maxSize",
        ]);
        expect(staleRows(`${committed}\n`, committed)).toEqual(["stale text outside the rows"]);
    });
});
