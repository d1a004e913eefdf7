/**
 * The placeholder catalogue (lib/placeholders.ts): every template value of the committed stacks
 * is reported, with where to get the real one, and no secret's value is ever shown.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
    findPlaceholders,
    PLACEHOLDERS,
    shortenAround,
    stackConfigAsWritten,
    whereToGet,
} from "../../lib/placeholders";
import { loadProject, loadStackSettings, secretPlaceholder } from "../../lib/stack-files";
import { configSections } from "../../tools/config-doc";
import { PROJECT_DIR } from "../harness";

const project = loadProject(PROJECT_DIR);

function findingsOf(stack: string) {
    const { config } = stackConfigAsWritten(loadStackSettings(project, stack));
    return findPlaceholders(config, project.name);
}

/**
 * The committed stacks' placeholders, pinned: a new template value in a stack file fails here
 * until it is listed (and, when no entry recognises it, catalogued in lib/placeholders.ts).
 */
const EXPECTED: Record<string, [string, string][]> = {
    dev: [
        ["multicloud:app.image", "app-image"],
        ["multicloud:app.ingress.host", "ingress-host"],
        ["multicloud:aws.loadBalancer.certificateArn", "acm-certificate-arn"],
        ["multicloud:gcp.project", "gcp-project"],
        [
            "multicloud:gcp.clusters[dev-gke].masterAuthorizedNetworks[0].cidrBlock",
            "authorized-networks",
        ],
        ["multicloud:gcp.configSync.syncRepo", "git-repository"],
        ["multicloud:azure.subscriptionId", "azure-subscription-id"],
        ["multicloud:azure.gitops.url", "git-repository"],
        ["multicloud:dashboard.deployerObjectId", "deployer-object-id"],
    ],
    prod: [
        ["multicloud:app.image", "app-image"],
        ["multicloud:app.ingress.host", "ingress-host"],
        ["multicloud:aws.allowedAccountIds[0]", "aws-account-id"],
        ["multicloud:aws.loadBalancer.certificateArn", "acm-certificate-arn"],
        ["multicloud:aws.alerts.emails[0]", "alert-email"],
        ["multicloud:gcp.project", "gcp-project"],
        ["multicloud:gcp.rbacGroupDomain", "gke-rbac-group-domain"],
        [
            "multicloud:gcp.clusters[prod-eu].masterAuthorizedNetworks[0].cidrBlock",
            "authorized-networks",
        ],
        [
            "multicloud:gcp.clusters[prod-us].masterAuthorizedNetworks[0].cidrBlock",
            "authorized-networks",
        ],
        ["multicloud:gcp.configSync.syncRepo", "git-repository"],
        ["multicloud:azure.subscriptionId", "azure-subscription-id"],
        ["multicloud:azure.tenantId", "azure-tenant-id"],
        ["multicloud:azure.adminGroupObjectIds[0]", "entra-group-object-id"],
        ["multicloud:azure.viewerGroupObjectIds[0]", "entra-group-object-id"],
        ["multicloud:azure.gitops.url", "git-repository"],
        ["multicloud:edge.sites[store-0042].name", "sample-edge-site"],
        ["multicloud:edge.sites[store-0042].kubeconfig", "secret-kubeconfig"],
        ["multicloud:edge.sites[factory-eu-1].name", "sample-edge-site"],
        ["multicloud:edge.sites[factory-eu-1].kubeconfig", "secret-kubeconfig"],
        ["multicloud:dashboard.deployerObjectId", "deployer-object-id"],
        ["multicloud:dashboard.adminGroupObjectIds[0]", "entra-group-object-id"],
        ["multicloud:dashboard.viewerGroupObjectIds[0]", "entra-group-object-id"],
        ["multicloud:appImage.gcpKmsKeyName", "gcp-kms-key"],
        ["multicloud:appImage.azureEncryption.keyIdentifier", "key-vault-key"],
        ["multicloud:appImage.azureEncryption.keyVaultId", "key-vault-id"],
        ["multicloud:registryPullCredential.server", "container-registry"],
        ["multicloud:registryPullCredential.password", "secret-registry-password"],
        ["multicloud:databaseUrl", "secret-database-url"],
    ],
};

/** A leaf of a stack file: its `pulumi config set --path` path, and its text or ciphertext. */
interface Leaf {
    readonly path: string;
    readonly text: string;
    readonly secure: boolean;
}

/**
 * Every leaf value of the committed project and stack files, read here without the code under
 * test: Pulumi.yaml's values (`value:`, `default:` or short form) under the stack file's.
 */
function leavesOf(stack: string): Leaf[] {
    const read = (file: string) =>
        (
            YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8")) as {
                config?: Record<string, unknown>;
            }
        ).config ?? {};
    const merged = new Map<string, unknown>();
    for (const [key, decl] of Object.entries(read("Pulumi.yaml"))) {
        const d = decl as Record<string, unknown>;
        const value =
            typeof decl === "object" && decl !== null && !Array.isArray(decl)
                ? (d.value ?? d.default)
                : decl;
        if (value !== undefined) merged.set(key.includes(":") ? key : `multicloud:${key}`, value);
    }
    for (const [key, value] of Object.entries(read(`Pulumi.${stack}.yaml`))) merged.set(key, value);
    const leaves: Leaf[] = [];
    const walk = (value: unknown, at: string): void => {
        if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${at}[${i}]`));
        if (typeof value === "object" && value !== null) {
            const record = value as Record<string, unknown>;
            if (Object.keys(record).length === 1 && typeof record.secure === "string") {
                leaves.push({ path: at, text: record.secure, secure: true });
                return;
            }
            for (const [k, v] of Object.entries(record)) walk(v, `${at}.${k}`);
            return;
        }
        if (value !== null && value !== undefined)
            leaves.push({ path: at, text: String(value), secure: false });
    };
    for (const [key, value] of merged) {
        walk(value, key.startsWith("multicloud:") ? key.slice("multicloud:".length) : key);
    }
    return leaves;
}

/** Whatever looks like a template value, catalogued or not: a safety net for new kinds. */
const LOOKS_LIKE_A_PLACEHOLDER =
    /example|placeholder|(\d)\1{5,}|123456789|987654321|(?:192\.0\.2|198\.51\.100|203\.0\.113)\.|multicloudfleet|multicloud-prod-keys\./i;

describe.each(["dev", "prod"])("the committed %s stack", (stack) => {
    const findings = findingsOf(stack);

    it("reports exactly the pinned placeholders, each with its catalogue entry", () => {
        expect(findings.map((f) => [f.key, f.entry.id])).toEqual(EXPECTED[stack]);
    });

    it("reports every value of Pulumi.yaml and the stack file that a catalogue pattern matches", () => {
        const reported = new Set(findings.map((f) => f.path));
        const leaves = leavesOf(stack);
        expect(leaves.length).toBeGreaterThan(50);
        const matching = leaves.filter((leaf) =>
            PLACEHOLDERS.some(
                (e) => (e.secure ?? false) === leaf.secure && e.value.test(leaf.text),
            ),
        );
        expect(matching.map((l) => l.path).filter((p) => !reported.has(p))).toEqual([]);
        // ...and nothing else: each report is one of those values.
        expect([...reported].sort()).toEqual(matching.map((l) => l.path).sort());
    });

    it("misses no value that looks like a template value (a new kind must be catalogued)", () => {
        const reported = new Set(findings.map((f) => f.path));
        const suspicious = leavesOf(stack).filter((l) => LOOKS_LIKE_A_PLACEHOLDER.test(l.text));
        expect(suspicious.length).toBeGreaterThan(5);
        expect(
            suspicious
                .map((l) => `${l.path}: ${l.text}`)
                .filter((p) => !reported.has(p.split(": ")[0])),
        ).toEqual([]);
    });

    it("never shows a secret's value, and says where to get each real value with its key filled in", () => {
        for (const f of findings) {
            expect(f.value).not.toMatch(/placeholder-ciphertext|v1:/);
            expect(f.value.length).toBeLessThanOrEqual(66);
            expect(f.where).toBe(whereToGet(f.entry, f.path));
            expect(f.where).not.toContain("<key>");
            if (f.secret) expect(f.value).toBe("[secret]");
        }
        // Secret: the secure values, and every value of a top-level key holding one.
        const secretTops = new Set(
            leavesOf(stack)
                .filter((l) => l.secure)
                .map((l) => l.path.split(/[.[]/)[0]),
        );
        expect(findings.filter((f) => f.secret).map((f) => f.path)).toEqual(
            findings.map((f) => f.path).filter((p) => secretTops.has(p.split(/[.[]/)[0])),
        );
        expect(findings.filter((f) => f.secret).length).toBe(stack === "prod" ? 7 : 0);
    });

    it("names keys as the config schema does, and paths `pulumi config set --path` takes", () => {
        // The settings the program sees have a value at every reported path.
        const settings = loadStackSettings(project, stack);
        for (const f of findings) {
            expect(settings.config[`multicloud:${f.path.split(/[.[]/)[0]}`]).toBeDefined();
            expect(f.key.startsWith("multicloud:")).toBe(true);
            expect(f.schemaKey).toBe(f.path.replace(/\[\d+\]\./g, "[].").replace(/\[\d+\]$/, ""));
        }
    });
});

describe("the catalogue", () => {
    const schemaKeys = new Set(configSections().flatMap((s) => s.rows.map((r) => r.key)));

    it("has unique ids, a description and one line of where to get the real value per entry", () => {
        const ids = PLACEHOLDERS.map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const e of PLACEHOLDERS) {
            expect(e.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
            expect(e.pattern.length).toBeGreaterThan(5);
            expect(e.where).not.toContain("\n");
            expect(e.where.length).toBeGreaterThan(10);
            expect(e.value.global).toBe(false); // exec must not carry state between values
        }
    });

    it("names only keys of the stack config schema (docs/config.md)", () => {
        const keys = PLACEHOLDERS.flatMap((e) => e.keys ?? []);
        expect(keys.length).toBeGreaterThan(10);
        expect(keys.filter((k) => !schemaKeys.has(k))).toEqual([]);
    });

    it("puts the key's path only where a `pulumi config` command takes it", () => {
        // `<key>` is filled in with the config path (whereToGet): inside another tool's command
        // (`az keyvault key show --name <key>`) it would print the config path as a key name.
        for (const e of PLACEHOLDERS) {
            const outside = e.where
                .split("`")
                .filter(
                    (part, i) =>
                        part.includes("<key>") && !(i % 2 === 1 && /^pulumi config /.test(part)),
                );
            expect([e.id, outside]).toEqual([e.id, []]);
        }
    });

    it("tries the entries for given keys before the ones for any key", () => {
        const firstAny = PLACEHOLDERS.findIndex((e) => !e.keys);
        expect(PLACEHOLDERS.slice(firstAny).every((e) => !e.keys)).toBe(true);
    });
});

describe("findPlaceholders", () => {
    it("recognises each kind, and leaves real values alone", () => {
        const found = findPlaceholders(
            {
                "multicloud:azure": {
                    subscriptionId: "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
                    tenantId: "3f2b9c1e-8d4a-4e6b-9a7c-2d5e8f1a3b4c", // a real-looking id
                    adminGroupObjectIds: ["1111111-1111-1111-1111-111111111111"], // not a UUID
                },
                "multicloud:aws": { allowedAccountIds: [123456789012, "1234567890123"] },
                "multicloud:gcp": { project: "acme-prod-000000", region: "europe-west1" },
                "gcp:project": "my-project-000000",
                "multicloud:tags": { owner: "ops@example.org", site: "example.company.com" },
            },
            "multicloud",
        );
        expect(found.map((f) => [f.key, f.path, f.entry.id])).toEqual([
            ["multicloud:azure.subscriptionId", "azure.subscriptionId", "azure-subscription-id"],
            ["multicloud:aws.allowedAccountIds[0]", "aws.allowedAccountIds[0]", "aws-account-id"],
            ["multicloud:gcp.project", "gcp.project", "gcp-project"],
            // Another namespace keeps its name, and gets the entry for any key.
            ["gcp:project", "gcp:project", "gcp-project-in-value"],
            ["multicloud:tags.owner", "tags.owner", "example-domain"],
        ]);
    });

    it("takes structured values as JSON text too, as the program's config holds them", () => {
        const settings = loadStackSettings(project, "dev");
        const fromSettings = findPlaceholders(settings.config, project.name);
        expect(fromSettings.map((f) => f.key)).toEqual(findingsOf("dev").map((f) => f.key));
    });

    it("does not judge the offline plan's text for a secret: only the ciphertext tells a placeholder", () => {
        const placeholder = secretPlaceholder("multicloud:databaseUrl", "v1:real");
        expect(findPlaceholders({ "multicloud:databaseUrl": placeholder }, "multicloud")).toEqual(
            [],
        );
        expect(
            findPlaceholders({ "multicloud:databaseUrl": { secure: "v1:AAABAK8x" } }, "multicloud"),
        ).toEqual([]);
        const [secret] = findPlaceholders(
            {
                "multicloud:gcp": {
                    attachedClusters: [
                        { name: "eks-1", kubeconfig: { secure: "v1:placeholder-ciphertext-x" } },
                    ],
                },
                "multicloud:other": { secure: "v1:placeholder-ciphertext-y" },
            },
            "multicloud",
        );
        expect(secret).toMatchObject({
            key: "multicloud:gcp.attachedClusters[eks-1].kubeconfig",
            path: "gcp.attachedClusters[0].kubeconfig",
            value: "[secret]",
            secret: true,
            where: "the cluster's kubeconfig, as a secret of your stack: `pulumi config set --secret --path 'gcp.attachedClusters[0].kubeconfig' \"$(cat kubeconfig)\"`",
        });
    });

    it("reads Pulumi.yaml's values, defaults and short forms under the stack file's", () => {
        const written = stackConfigAsWritten(loadStackSettings(project, "prod"));
        expect(written.files["multicloud:app"]).toBe("Pulumi.yaml");
        expect(written.files["multicloud:aws"]).toBe("Pulumi.prod.yaml");
        expect(written.config["pulumi:disable-default-providers"]).toEqual(["*"]);
        expect(written.config["multicloud:databaseUrl"]).toEqual({
            secure: "v1:placeholder-ciphertext-replace-with-pulumi-config-set-secret",
        });
    });
});

describe("shortenAround", () => {
    it("keeps short values whole and cuts long ones around the placeholder", () => {
        expect(shortenAround("multicloud-dev-000000", { index: 0, length: 21 })).toBe(
            "multicloud-dev-000000",
        );
        const id =
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/multicloud-prod-keys/providers/Microsoft.KeyVault/vaults/multicloud-prod-keys";
        const short = shortenAround(id, { index: 15, length: 36 });
        expect(short).toContain("11111111-1111-1111-1111-111111111111");
        expect(short.startsWith("/subscriptions/")).toBe(true);
        expect(short.endsWith("…")).toBe(true);
        expect(short.length).toBeLessThanOrEqual(65);
        const image = `fleet.azurecr.io/app@sha256:${"0".repeat(64)}`;
        const cut = shortenAround(image, { index: 21, length: 71 });
        expect(cut.length).toBeLessThanOrEqual(66);
        expect(cut).toMatch(/^…?.*sha256:0+…0+$/);
    });
});
