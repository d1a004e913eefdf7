import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    listStacks,
    loadProject,
    loadStackSettings,
    PlanInputError,
    secretPlaceholder,
} from "../plan/stack-files";
import { PROJECT_DIR } from "./harness";

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
        expect(s.config["demo:token"]).toBe(secretPlaceholder("demo:token"));
        expect(JSON.parse(s.config["demo:clusters"])).toEqual([
            {
                name: "edge-1",
                kubeconfig: "<offline-plan placeholder for secret demo:clusters[0].kubeconfig>",
            },
        ]);
        expect(JSON.stringify(s.config)).not.toMatch(/v1:AAAA|v1:BBBB/);
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
