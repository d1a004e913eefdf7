import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    listStacks,
    loadProject,
    loadStackSettings,
    PlanInputError,
    secretPlaceholder,
} from "../../lib/stack-files";
import { PROJECT_DIR } from "../harness";

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Writes a throwaway project folder with the given files. */
function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "multicloud-stack-files-"));
    made.push(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

const PROJECT_YAML = `name: demo
runtime:
  name: nodejs
  options: { typescript: true }
config:
  pulumi:disable-default-providers: ["*"]
  count: 3
  region:
    type: string
    default: eu-west-1
  shape:
    value:
      size: small
`;

describe("loadProject and listStacks", () => {
    it("reads this project's Pulumi.yaml and finds the committed stacks", () => {
        const p = loadProject(PROJECT_DIR);
        expect(p.name).toBe("multicloud");
        expect(p.runtime).toBe("nodejs");
        expect(p.main).toBe(path.join(PROJECT_DIR, "index.ts"));
        expect(listStacks(p)).toEqual(["dev", "prod"]);
    });

    it("refuses a folder without Pulumi.yaml", () => {
        const dir = project({});
        expect(() => loadProject(dir)).toThrow(
            `no Pulumi.yaml in ${dir}: run the plan from the project folder`,
        );
    });
});

describe("loadStackSettings", () => {
    it("namespaces keys, layers project values and defaults under stack values, and keeps engine keys apart", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml":
                "config:\n  demo:count: 5\n  demo:flag: true\n  demo:nested:\n    a: [1, 2]\n",
        });
        const s = loadStackSettings(loadProject(dir), "dev");
        expect(s.config).toEqual({
            "demo:count": "5", // stack value wins over the project value
            "demo:region": "eu-west-1", // project default
            "demo:shape": '{"size":"small"}', // project value, structured
            "demo:flag": "true", // scalars are text, as the CLI passes them
            "demo:nested": '{"a":[1,2]}',
            "pulumi:disable-default-providers": '["*"]', // the program sees engine keys too
        });
        expect(s.disableDefaultProviders).toEqual(["*"]);
        expect(s.secretKeys).toEqual([]);
        expect(s.file).toBe("Pulumi.dev.yaml");
    });

    it("replaces every secure value by a marked placeholder and reports its key as secret", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": [
                "config:",
                "  demo:token:",
                "    secure: v1:AAAA",
                "  demo:clusters:",
                "    - name: edge-1",
                "      kubeconfig:",
                "        secure: v1:BBBB",
                "  demo:plain: hello",
            ].join("\n"),
        });
        const s = loadStackSettings(loadProject(dir), "dev");
        expect(s.secretKeys.sort()).toEqual(["demo:clusters", "demo:token"]);
        expect(s.placeholders.sort()).toEqual(["demo:clusters[0].kubeconfig", "demo:token"]);
        expect(s.config["demo:token"]).toBe(secretPlaceholder("demo:token", "v1:AAAA"));
        // A kubeconfig placeholder is a well-formed kubeconfig that says what it is.
        const [cluster] = JSON.parse(s.config["demo:clusters"]);
        expect(cluster.name).toBe("edge-1");
        // Named by the item's name, not its position, with a digest of the ciphertext.
        expect(cluster.kubeconfig).toBe(
            secretPlaceholder("demo:clusters[edge-1].kubeconfig", "v1:BBBB"),
        );
        expect(YAML.parse(cluster.kubeconfig)).toMatchObject({
            kind: "Config",
            "current-context": "offline-plan",
        });
        expect(cluster.kubeconfig).toContain(
            "# <offline-plan placeholder for secret demo:clusters[edge-1].kubeconfig, ciphertext ",
        );
        expect(JSON.stringify(s.config)).not.toMatch(/v1:AAAA|v1:BBBB/);
    });

    it("keeps a secret's placeholder when its list shifts, and changes it with the ciphertext", () => {
        const stack = (sites: [string, string][]) =>
            project({
                "Pulumi.yaml": PROJECT_YAML,
                "Pulumi.dev.yaml": [
                    "config:",
                    "  demo:sites:",
                    ...sites.flatMap(([name, secure]) => [
                        `    - name: ${name}`,
                        "      kubeconfig:",
                        `        secure: ${secure}`,
                    ]),
                ].join("\n"),
            });
        const kubeconfigs = (dir: string) =>
            Object.fromEntries(
                (
                    JSON.parse(loadStackSettings(loadProject(dir), "dev").config["demo:sites"]) as {
                        name: string;
                        kubeconfig: string;
                    }[]
                ).map((s) => [s.name, s.kubeconfig]),
            );
        const before = kubeconfigs(
            stack([
                ["a", "v1:AAAA"],
                ["b", "v1:AAAA"],
            ]),
        );
        // Two sites with the same ciphertext still get distinct placeholders (by name)...
        expect(before.a).not.toBe(before.b);
        // ...removing the first leaves the second's as it was...
        expect(kubeconfigs(stack([["b", "v1:AAAA"]])).b).toBe(before.b);
        // ...and a rotated secret (new ciphertext) is a new placeholder.
        expect(
            kubeconfigs(
                stack([
                    ["a", "v1:AAAA"],
                    ["b", "v1:CCCC"],
                ]),
            ).b,
        ).not.toBe(before.b);
    });

    it("applies overrides like `pulumi config set --path`, and removes keys set to undefined", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "config:\n  demo:nested:\n    a: 1\n    b: 2\n",
        });
        const s = loadStackSettings(loadProject(dir), "dev", {
            "nested.a": 10,
            "nested.list[1].x": "y",
            count: undefined,
        });
        expect(JSON.parse(s.config["demo:nested"])).toEqual({
            a: 10,
            b: 2,
            list: [null, { x: "y" }],
        });
        expect(s.config["demo:count"]).toBeUndefined();
    });

    it("keeps the config as written, secure values as ciphertext, and the file each key comes from", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml":
                "config:\n  demo:region: eu-central-1\n  demo:token:\n    secure: v1:abc\n",
        });
        const s = loadStackSettings(loadProject(dir), "dev", {
            "shape.size": "large",
            count: undefined,
        });
        expect(s.written).toEqual({
            "pulumi:disable-default-providers": ["*"],
            "demo:region": "eu-central-1",
            "demo:shape": { size: "large" },
            "demo:token": { secure: "v1:abc" },
        });
        // The program sees a placeholder; the written config keeps the ciphertext.
        expect(s.config["demo:token"]).not.toContain("v1:abc");
        // A key the stack sets (or an override, as `pulumi config set` would) is the stack
        // file's: it replaces Pulumi.yaml's whole value; a removed key has no source.
        expect(s.sources).toEqual({
            "pulumi:disable-default-providers": "Pulumi.yaml",
            "demo:region": "Pulumi.dev.yaml",
            "demo:shape": "Pulumi.dev.yaml",
            "demo:token": "Pulumi.dev.yaml",
        });
    });

    it("names the stacks that exist when asked for one that does not", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "",
            "Pulumi.prod.yaml": "",
        });
        expect(() => loadStackSettings(loadProject(dir), "staging")).toThrow(
            new PlanInputError(
                `unknown stack 'staging': there is no Pulumi.staging.yaml in ${dir}. Stacks that exist: dev, prod. ` +
                    "Create one with `pulumi stack init staging` and `pulumi config set ...`.",
            ),
        );
    });

    it("refuses keys without a namespace, naming the fix", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "config:\n  count: 2\n",
        });
        expect(() => loadStackSettings(loadProject(dir), "dev")).toThrow(
            "Pulumi.dev.yaml: config key 'count' has no namespace; write it as 'demo:count'",
        );
    });

    it("refuses what the CLI refuses in Pulumi.yaml's config block, and requires declared keys", () => {
        const dir = project({
            "Pulumi.yaml": [
                "name: demo",
                "runtime: nodejs",
                "config:",
                "  size:",
                "    type: integer", // declared, no default: every stack must set it
                "  both:",
                "    value: 1",
                "    default: 2",
                "  aws:region:",
                "    default: us-east-1",
            ].join("\n"),
            "Pulumi.dev.yaml": "config: {}\n",
        });
        expect(() => loadStackSettings(loadProject(dir), "dev")).toThrow(
            [
                "Pulumi.yaml: config 'demo:both' sets both 'value' and 'default'; keep one",
                "Pulumi.yaml: config 'aws:region' is not in the project's namespace, so it cannot be declared with 'type' or 'default'; write its value directly or under 'value:'",
                "Stack 'dev' is missing configuration value 'demo:size', which Pulumi.yaml declares without a default: set it with `pulumi config set size <value>`",
            ].join("\n"),
        );
    });

    it("reads legacy <ns>:config:<key> keys, and refuses keys with more colons", () => {
        const ok = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "config:\n  demo:config:count: 7\n",
        });
        expect(loadStackSettings(loadProject(ok), "dev").config["demo:count"]).toBe("7");
        const bad = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "config:\n  demo:a:b: 1\n",
        });
        expect(() => loadStackSettings(loadProject(bad), "dev")).toThrow(
            "Pulumi.dev.yaml: config key 'demo:a:b' has more than one ':'; keys are <namespace>:<name>",
        );
    });

    it("refuses a disable-default-providers value the engine could not parse", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "config:\n  pulumi:disable-default-providers: aws\n",
        });
        expect(() => loadStackSettings(loadProject(dir), "dev")).toThrow(
            'pulumi:disable-default-providers must be a list such as ["*"] or ["aws", "gcp"], got "aws"',
        );
    });

    it("refuses ESC environments, which cannot be opened offline", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "environment:\n  - org/env\n",
        });
        expect(() => loadStackSettings(loadProject(dir), "dev")).toThrow(
            /imports Pulumi ESC environments/,
        );
    });

    it("reports YAML syntax errors with the file name", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "config:\n  demo:a: [1,\n",
        });
        expect(() => loadStackSettings(loadProject(dir), "dev")).toThrow(
            /Pulumi\.dev\.yaml is not valid YAML/,
        );
    });
});
